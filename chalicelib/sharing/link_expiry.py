"""The scheduler's sweep of share links: owners warned a day before expiry, old tokens retired.

Expiry itself is checked in code wherever a link is used (Link.state), never left to TTL.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from chalicelib.core import event_catalogue, events
from chalicelib.core.storage import update_if
from chalicelib.sharing.links import EXTERNAL_KINDS
from chalicelib.sharing.storage import LinkRecord, TokenRecord, bind

EXPIRY_WARNING = timedelta(hours=24)  # an owner hears this long before a link expires
TOKEN_RETIREMENT = timedelta(days=30)  # a link expired this long ago loses its token (the link and trail stay)


def warn_expiring_and_retire_tokens(at: datetime) -> tuple[int, int]:
    """The scheduler's sweep of links: (owners told a link expires within a day, tokens retired).

    The warning is a ShareLinkExpiringSoon event, set conditionally so that two sweeps at once
    announce it once.
    """
    bind()
    warnings = []
    retired = 0
    for link in LinkRecord.scan(LinkRecord.revoked_at.does_not_exist()):
        # An external link's owner hears of it through its own slice (a survey's deadline), not here.
        soon = at < link.expires_at <= at + EXPIRY_WARNING and link.kind not in EXTERNAL_KINDS
        if soon and not link.expiry_warned:
            if update_if(link, [LinkRecord.expiry_warned.set(True)], LinkRecord.expiry_warned.does_not_exist()):
                warnings.append(
                    event_catalogue.ShareLinkExpiringSoon(
                        link_id=link.link_id,
                        owner_id=link.owner_id,
                        target_id=link.target_id,
                        expires_at=link.expires_at.isoformat(),
                    )
                )
        elif link.expires_at <= at - TOKEN_RETIREMENT and link.token_hash:
            TokenRecord(link.token_hash).delete()
            link.update(actions=[LinkRecord.token_hash.set("")])
            retired += 1
    events.publish(warnings)
    return len(warnings), retired
