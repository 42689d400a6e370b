"""Lambda handler run by EventBridge Scheduler (and by the local runner's timer): housekeeping."""

from __future__ import annotations

from typing import Any

from chalicelib.core.config import settings
from chalicelib.core.observability import logger, metrics, traced_handler

settings()  # fail closed: outside stage local a missing setting stops the cold start, by name


@traced_handler
@metrics.log_metrics
@logger.inject_lambda_context
def handler(event: dict[str, Any], context: Any) -> dict[str, int]:
    from chalicelib.maintenance import sweep

    report = sweep.run()
    for what, n in report.counts.items():
        metrics.add_metric(name=f"Sweep_{what}", unit="Count", value=n)
    return report.counts
