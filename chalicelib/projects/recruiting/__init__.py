"""20%-rule recruiting (issue 10): 公募 posted by a project, 応募 by any staff member, the owners'
decision, the applicant's 所属長's consent (同意) under a cap on each person's committed time
share, monthly 実績 and the plan-vs-actual export for 人事. Its tables are its own (storage.py);
the project and its membership are the projects slice's (access.py, membership.py)."""
