"""botocore's endpoint data, cut to the services Kumo calls, so a cold start parses 30 KB, not 1.3 MB.

Before its first client botocore parses endpoints.json, every endpoint of every AWS service in
every partition (1.3 MB, some 15 ms of a cold start: bench/cold_start.py), to resolve the
hostname and signing region of the one service asked for. Kumo calls the few in SERVICES: their
entries, copied from botocore's own file into aws_endpoints.json beside this module (`make
aws-endpoints`; tests/unit/test_cold_path.py fails when the copy and the installed botocore
differ), are all a client of theirs reads. A client of any other service reads botocore's
whole file, as if this module were not there.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

# Endpoint prefixes (a service model's `endpointPrefix`: SES v1 and v2 are both "email").
SERVICES = frozenset(
    {"cognito-idp", "dynamodb", "email", "events", "kms", "lambda", "s3", "secretsmanager", "sqs", "sts"}
)
DATA = Path(__file__).with_name("aws_endpoints.json")


def trim(endpoints: dict[str, Any]) -> dict[str, Any]:
    """botocore's endpoint data with only SERVICES left in each partition."""
    return {
        **endpoints,
        "partitions": [
            {**p, "services": {name: s for name, s in p["services"].items() if name in SERVICES}}
            for p in endpoints["partitions"]
        ],
    }


def resolver(full: Callable[[], tuple[dict[str, Any], bool]], loads: Callable[[bytes], Any]) -> Any:
    """An EndpointResolver answering from the cut data for SERVICES and from `full()` (botocore's
    whole file, read on first need) for any other service."""
    from botocore.regions import EndpointResolver

    class KumoEndpoints(EndpointResolver):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__(loads(DATA.read_bytes()), uses_builtin_data=True)
            self._whole: EndpointResolver | None = None

        def _for(self, service_name: str) -> EndpointResolver:
            if service_name in SERVICES:
                return super()
            if self._whole is None:
                data, builtin = full()
                self._whole = EndpointResolver(data, uses_builtin_data=builtin)
            return self._whole

        def construct_endpoint(self, service_name: str, *args: Any, **kwargs: Any) -> Any:
            return self._for(service_name).construct_endpoint(service_name, *args, **kwargs)

        def get_available_endpoints(self, service_name: str, *args: Any, **kwargs: Any) -> Any:
            return self._for(service_name).get_available_endpoints(service_name, *args, **kwargs)

        def get_service_endpoints_data(self, service_name: str, *args: Any, **kwargs: Any) -> Any:
            return self._for(service_name).get_service_endpoints_data(service_name, *args, **kwargs)

    return KumoEndpoints()


def write(botocore_endpoints: Path) -> None:
    """`make aws-endpoints`: the cut copy of the installed botocore's endpoints.json."""
    data = json.loads(botocore_endpoints.read_text(encoding="utf-8"))
    DATA.write_text(json.dumps(trim(data), indent=1, sort_keys=True) + "\n", encoding="utf-8")
