"""Synonyms of administrative vocabulary, applied at search time by expanding the query.

Why in our code and not a synonym_graph filter: the local search server accepts synonym
filters but ignores them, and an index-time filter would need a reindex for every edit. A
query-time expansion behaves the same on both servers, takes effect at once, and is tested
locally. A system admin edits the groups (one group per line: 「パソコン, PC」); until they do,
DEFAULT_GROUPS apply.
"""

from __future__ import annotations

import json
import time
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime

from chalicelib.core.auth import Principal, require_signed_in
from chalicelib.core.errors import BadRequest, Forbidden
from chalicelib.core.storage import get_or_none
from chalicelib.search.storage import SettingsRecord, bind

DEFAULT_GROUPS: tuple[tuple[str, ...], ...] = (
    ("パソコン", "PC", "パーソナルコンピュータ"),
    ("決裁", "承認"),
    ("照会", "問い合わせ", "問合せ"),
    ("会議", "打合せ", "打ち合わせ", "ミーティング"),
    ("出張", "旅行命令"),
    ("クラウド", "cloud"),
)
MAX_GROUPS, MAX_TERMS, MAX_TERM_CHARS = 500, 20, 50
CACHE_SECONDS = 30


_KEY = "synonyms"
_cache: dict[str, tuple[float, tuple[tuple[str, ...], ...]]] = {}


@dataclass(frozen=True)
class SynonymSettings:
    groups: tuple[tuple[str, ...], ...]
    updated_by: str | None
    updated_at: datetime | None


def normalise(term: str) -> str:
    """What "the same term" means when matching a query: width and case folded."""
    return unicodedata.normalize("NFKC", term).casefold().strip()


def parse(text: str) -> tuple[tuple[str, ...], ...]:
    """One group per line, terms separated by commas (、，too). Blank lines and # comments skipped."""
    groups: list[tuple[str, ...]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0]
        for sep in ("、", "，", "､"):
            line = line.replace(sep, ",")
        terms = tuple(dict.fromkeys(t.strip() for t in line.split(",") if t.strip()))
        if not terms:
            continue
        if len(terms) < 2:
            raise BadRequest("Line {line}: a group needs at least two terms separated by commas.", line=number)
        if len(terms) > MAX_TERMS or any(len(t) > MAX_TERM_CHARS for t in terms):
            raise BadRequest(
                "Line {line}: at most {terms} terms of {chars} characters each.",
                line=number,
                terms=MAX_TERMS,
                chars=MAX_TERM_CHARS,
            )
        groups.append(terms)
    if len(groups) > MAX_GROUPS:
        raise BadRequest("At most {count} synonym groups.", count=MAX_GROUPS)
    return tuple(groups)


def format_groups(groups: tuple[tuple[str, ...], ...]) -> str:
    return "\n".join(", ".join(g) for g in groups)


def current() -> SynonymSettings:
    bind()
    record = get_or_none(SettingsRecord, _KEY)
    if record is None:
        return SynonymSettings(DEFAULT_GROUPS, None, None)
    groups = tuple(tuple(g) for g in json.loads(record.value))
    return SynonymSettings(groups, record.updated_by, record.updated_at)


def groups() -> tuple[tuple[str, ...], ...]:
    """The groups in force, cached briefly per process (an edit shows within CACHE_SECONDS)."""
    hit = _cache.get(_KEY)
    if hit and time.monotonic() - hit[0] < CACHE_SECONDS:
        return hit[1]
    found = current().groups
    _cache[_KEY] = (time.monotonic(), found)
    return found


def save(principal: Principal | None, text: str) -> SynonymSettings:
    p = require_signed_in(principal)
    if not p.is_system_admin:
        raise Forbidden("Only a system administrator can edit synonyms.")
    parsed = parse(text)
    bind()
    now = datetime.now(UTC)
    SettingsRecord(_KEY, value=json.dumps(parsed, ensure_ascii=False), updated_by=p.staff_id, updated_at=now).save()
    _cache.pop(_KEY, None)
    return SynonymSettings(parsed, p.staff_id, now)


def expansions(query: str, groups: tuple[tuple[str, ...], ...]) -> list[str]:
    """The query rewritten with each synonym of each group term it contains (no duplicates)."""
    folded = normalise(query)
    out: list[str] = []
    for group in groups:
        for term in group:
            needle = normalise(term)
            if not needle or needle not in folded:
                continue
            for other in group:
                if normalise(other) != needle:
                    rewritten = folded.replace(needle, normalise(other))
                    if rewritten != folded and rewritten not in out:
                        out.append(rewritten)
    return out[:10]
