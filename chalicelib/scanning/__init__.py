"""Malware scanning of partner uploads: one port, two adapters, one state machine.

- port.py      what a scanner is (Scanner), what it says (Verdict), which version it is about (Subject)
- engine.py    the local content check: the EICAR test string, also inside ZIP archives
- local.py     adapter: reads the object from S3 and runs the engine (the local stack)
- guardduty.py adapter: turns GuardDuty Malware Protection's result event into a Verdict (AWS)
- objects.py   the S3 side: streaming and ranged reads, moving an object into quarantine
- service.py   the state machine: pending -> clean, or pending -> infected/unscannable (quarantined)

Which adapter runs is a setting (KUMO_SCANNER), never a branch in the domain code.
"""
