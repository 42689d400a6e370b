"""`kumo reindex`: build a fresh index from the files' current state and move the alias to it.

Searches keep using the old index until the alias moves, in one atomic step. Text already
extracted for the same file version is taken from the old index instead of reading the file
again, so a mapping change costs little. Changes that land while the new index is being
filled are caught up after the swap (every file changed since the start is refreshed again),
and the old index is deleted last. Locally this is how the index comes back after a restart
(the local search server keeps nothing on disk).

Records of other slices (surveys, answers: see records.py) come from the sources registered
with records.register_source by whoever runs the reindex (the CLI, the local runner, the
indexer function), since search may not import those slices; each source is asked for its
current records, and after the swap for those changed since the start.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from chalicelib.core.observability import logger
from chalicelib.files import search_feed
from chalicelib.files.entries import Entry
from chalicelib.search import index, indexer, records
from chalicelib.search.client import client

BULK_CHUNK = 200


@dataclass
class ReindexReport:
    index_name: str
    documents: int
    skipped: int
    caught_up: int
    removed_indices: list[str]
    seconds: float
    records: dict[str, int] = field(default_factory=dict)  # per kind (survey, answer)

    def describe(self) -> str:
        # The file count leads: scripts (bench/search_stack.py) read the first number.
        kinds = "".join(f", {n} {kind} records" for kind, n in sorted(self.records.items()))
        return (
            f"{self.documents} documents in {self.index_name} ({self.skipped} files not findable, "
            f"{self.caught_up} caught up after the swap{kinds}) in {self.seconds:.1f} s"
        )


Notes = list[tuple[Entry, str | None]]


def _actions(target: str, notes: Notes, counts: dict[str, int]) -> Iterator[dict[str, Any]]:
    for entry in search_feed.all_files():
        try:
            ready = indexer.prepare(entry, entry.file_id)
        except indexer.NotReadableYet:
            counts["skipped"] += 1  # its own event indexes it once it can be read
            continue
        if ready.document is None:
            counts["skipped"] += 1
            continue
        counts["documents"] += 1
        notes.append((entry, ready.note))
        yield {
            "_op_type": "index",
            "_index": target,
            "_id": entry.file_id,
            "_source": ready.document,
            "version": ready.version,
            "version_type": "external_gte",
        }


def _record_actions(target: str, counts: dict[str, int]) -> Iterator[dict[str, Any]]:
    for name, source in records.sources().items():
        for change in source(None):
            if not isinstance(change, records.Record):
                continue  # not findable now: nothing to put in a new index
            counts[change.kind] = counts.get(change.kind, 0) + 1
            yield {
                "_op_type": "index",
                "_index": target,
                "_id": change.doc_id,
                "_source": records.document(change),
                "version": change.version,
                "version_type": "external_gte",
            }
        logger.info("records reindexed", extra={"source": name})


def _catch_up_records(since: datetime) -> int:
    done = 0
    for source in records.sources().values():
        for change in source(since):
            records.apply(change)
            done += 1
    return done


def reindex() -> ReindexReport:
    from opensearchpy import helpers

    started_clock, started_at = time.monotonic(), datetime.now(UTC)
    os_client = client()
    old = index.current_indices()
    target = index.new_index_name()
    os_client.indices.create(index=target, body=index.index_body())
    counts = {"documents": 0, "skipped": 0}
    record_counts: dict[str, int] = {}
    notes: Notes = []
    try:
        helpers.bulk(os_client, _actions(target, notes, counts), chunk_size=BULK_CHUNK, refresh=True)
        helpers.bulk(os_client, _record_actions(target, record_counts), chunk_size=BULK_CHUNK, refresh=True)
    except Exception:
        os_client.indices.delete(index=target, ignore=[404])  # nothing half-built is left behind
        raise
    actions: list[dict[str, Any]] = [{"remove": {"index": name, "alias": index.alias()}} for name in old]
    actions.append({"add": {"index": target, "alias": index.alias()}})
    os_client.indices.update_aliases(body={"actions": actions})
    for entry, note in notes:
        indexer.record_note(entry, note)
    caught_up = 0
    for changed in search_feed.changed_since(started_at):
        for file_id in [changed.file_id] if changed.kind == "file" else indexer.descendant_files(changed.file_id):
            indexer.refresh(file_id)
            caught_up += 1
    caught_up += _catch_up_records(started_at)
    for name in old:
        os_client.indices.delete(index=name, ignore=[404])
    report = ReindexReport(
        target,
        counts["documents"],
        counts["skipped"],
        caught_up,
        old,
        time.monotonic() - started_clock,
        record_counts,
    )
    logger.info("reindexed", extra={"index": target, "documents": report.documents, "seconds": report.seconds})
    return report
