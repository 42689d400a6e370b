"""`kumo users import FILE.csv`: create or update staff in the directory, and their sign-ins in Cognito.

directory/staff_import.py reads and checks the file (a bad row rejects it whole); this writes
it. A row whose Cognito update fails is rolled back in the directory, so no row is ever
half-imported.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from chalicelib.accounts import cognito
from chalicelib.directory import service as directory
from chalicelib.directory.service import Staff
from chalicelib.directory.staff_import import decode, parse


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    scheduled: int = 0  # people given a transfer from the file's day (--effective)


def import_staff(
    staff: list[Staff], *, temporary_password: str | None = None, send_invitations: bool = False
) -> ImportResult:
    created = updated = scheduled = 0
    for person in staff:
        previous = directory.save_staff(person)
        scheduled += previous is not None and person.transfers != previous.transfers
        try:
            is_new = cognito.upsert_user(
                person.staff_id, person.email, person.display_name, send_invitation=send_invitations
            )
            if is_new and temporary_password:
                _set_temporary_password(person.staff_id, temporary_password)
        except Exception:
            directory.restore_staff(person.staff_id, previous)
            raise
        created += previous is None
        updated += previous is not None
    return ImportResult(created, updated, scheduled)


def _set_temporary_password(username: str, password: str) -> None:
    from chalicelib.core import aws

    aws.client("cognito-idp").admin_set_user_password(
        UserPoolId=cognito.pool_ids().user_pool_id, Username=username, Password=password, Permanent=False
    )


def import_file(path: Path, *, effective: date | None = None, **options: object) -> ImportResult:
    """Import a staff CSV; with `effective`, changed places become transfers from that day (JST)."""
    staff = parse(decode(Path(path).read_bytes()), effective=effective)
    return import_staff(staff, **options)  # type: ignore[arg-type]
