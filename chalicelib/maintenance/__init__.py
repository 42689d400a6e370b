"""Housekeeping the scheduler runs: expired uploads, trash, archives, link expiry notices."""
