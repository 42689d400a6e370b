"""Lambda handler: index-queue messages (S3 object events; file, survey and project events)
refresh the index.

Thin on purpose: each SQS record is one S3 notification or one EventBridge event; the work is
chalicelib.search.indexer.handle for files, chalicelib.surveys.indexing.handle for surveys and
answers, chalicelib.projects.indexing.handle for project cards (search may not import those
slices; a function may import any slice). Each reads the current state, so redelivery is
harmless and needs no idempotency table. A record that fails (the search server is down, S3
throttles) is reported back and retried by the queue, then lands in the DLQ; the others in the
batch are done. A file whose text cannot be read is not a failure: it is indexed by name with
the reason recorded.
"""

from __future__ import annotations

import json
import time
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from chalicelib.core.config import settings
from chalicelib.core.observability import logger, metrics, traced_handler

settings()  # fail closed: outside stage local a missing setting stops the cold start, by name

processor = BatchProcessor(event_type=EventType.SQS)
SAFETY_MARGIN_S = 10  # stop extracting this long before Lambda's own timeout
_deadline: list[float] = [0.0]


def record_handler(record: SQSRecord) -> None:
    from chalicelib.core.event_catalogue import SURVEY_SEARCH_CHANGES
    from chalicelib.core.project_events import PROJECT_SEARCH_CHANGES

    event = json.loads(record.body)
    if any(kind.matches(event) for kind in SURVEY_SEARCH_CHANGES):
        from chalicelib.surveys import indexing

        counts = indexing.handle(event)
    elif any(kind.matches(event) for kind in PROJECT_SEARCH_CHANGES):
        from chalicelib.projects import indexing as project_indexing

        counts = project_indexing.handle(event)
    else:
        from chalicelib.search import indexer

        counts = indexer.handle(event, deadline=_deadline[0] or None)
    logger.info("index event handled", extra={"detail_type": event.get("detail-type"), "counts": counts})
    for what, n in counts.items():
        metrics.add_metric(name=f"Index_{what}", unit="Count", value=n)


@traced_handler
@metrics.log_metrics
@logger.inject_lambda_context(correlation_id_path="Records[0].messageId")
def handler(event: dict[str, Any], context: Any) -> Any:
    if event.get("kumo_action") == "reindex":  # `kumo reindex --function ...`: run where the domain admits us
        from chalicelib.projects import indexing as project_indexing
        from chalicelib.search import reindex
        from chalicelib.surveys import indexing

        indexing.register()
        project_indexing.register()
        return {"reindexed": reindex.reindex().describe()}
    remaining_ms = context.get_remaining_time_in_millis() if context else 0
    _deadline[0] = time.monotonic() + remaining_ms / 1000 - SAFETY_MARGIN_S if remaining_ms else 0.0
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
