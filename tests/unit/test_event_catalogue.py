"""The event catalogue is the only place an event is defined: rules, producers and consumers agree."""

from __future__ import annotations

import ast
import dataclasses
import io
import json
import tokenize
import typing
from pathlib import Path
from typing import Any

import pytest

from chalicelib.core import event_catalogue, project_events
from chalicelib.core.bus_rules import BUS_RULES
from chalicelib.core.event_catalogue import CATALOGUE, FILE_STATE_CHANGES, PartnerUploaded
from chalicelib.core.events import SOURCE_PREFIX, Detail, MalformedEvent

ROOT = Path(__file__).resolve().parents[2]
EVENTS = ROOT / "tests" / "events"
NAMES = {d.EVENT.name for d in CATALOGUE}
SOURCES = {d.EVENT.source for d in CATALOGUE}
SAMPLE_VALUES: dict[Any, Any] = {str: "x", int: 1, bool: True, float: 1.5, list[str]: ["x"]}


def _sample(cls: type[Detail]) -> Detail:
    hints = typing.get_type_hints(cls)
    return cls(**{f.name: SAMPLE_VALUES[hints[f.name]] for f in dataclasses.fields(cls)})


def test_each_event_is_defined_once_under_its_features_source() -> None:
    keys = [(d.EVENT.source, d.EVENT.name) for d in CATALOGUE]
    assert len(keys) == len(set(keys)) and len(NAMES) == len(CATALOGUE), "a name means one event"
    assert all(source.startswith(SOURCE_PREFIX) for source in SOURCES)
    defined = {
        v
        for module in (event_catalogue, project_events)
        for v in vars(module).values()
        if isinstance(v, type) and issubclass(v, Detail) and v is not Detail
    }
    assert defined == set(CATALOGUE), "every Detail in the module is listed in CATALOGUE"


def test_every_rule_on_the_bus_routes_only_catalogue_events() -> None:
    for rule in BUS_RULES:
        sources = rule.pattern["source"]
        names = rule.pattern.get("detail-type")
        if names is None:  # a catch-all (notify-all): by source prefix, and only Kumo's own
            assert sources == [{"prefix": SOURCE_PREFIX}], rule.key
            continue
        assert set(names) <= NAMES, f"{rule.key} routes an event nobody produces: {set(names) - NAMES}"
        routed = [d for d in CATALOGUE if d.EVENT.name in names]
        assert set(sources) == {d.EVENT.source for d in routed}, rule.key


def test_the_index_rule_and_the_indexer_name_the_same_events() -> None:
    from chalicelib.search import indexer

    rule = BUS_RULES[[r.key for r in BUS_RULES].index("index-file-changes")]
    assert set(rule.pattern["detail-type"]) == {d.EVENT.name for d in FILE_STATE_CHANGES}
    for kind in FILE_STATE_CHANGES:
        event = _sample(kind).event().as_delivered()
        assert indexer.file_ids_in(event) != ([], []), kind.EVENT.name


def test_every_route_of_the_notifier_takes_the_detail_it_is_keyed_by() -> None:
    from chalicelib.notifications.routing import ROUTES

    for kind, route in ROUTES.items():
        assert kind in CATALOGUE
        assert typing.get_type_hints(route)["detail"] is kind, route.__name__


@pytest.mark.parametrize("kind", CATALOGUE, ids=lambda d: d.EVENT.name)
def test_the_wire_format_round_trips_with_the_envelope_fields(kind: type[Detail]) -> None:
    detail = _sample(kind)
    entry = detail.event(event_id="ev-1").to_entry("kumo-events")
    assert (entry["Source"], entry["DetailType"]) == (kind.EVENT.source, kind.EVENT.name)
    wire = json.loads(entry["Detail"])
    assert set(wire) == {f.name for f in dataclasses.fields(kind)} | {"event_id", "occurred_at"}
    assert wire["event_id"] == "ev-1"
    delivered = {"source": entry["Source"], "detail-type": entry["DetailType"], "detail": wire}
    assert kind.parse(delivered) == detail


def test_a_producer_cannot_leave_out_a_field_or_give_the_wrong_type() -> None:
    with pytest.raises(TypeError, match="owner_id"):
        PartnerUploaded(
            link_id="ln_1",
            notify=True,
            file_id="fi_1",
            version=1,  # type: ignore[call-arg]
            s3_key="k",
            space_id="s",
            folder_id="f",
            name="n",
            uploader_name="",
            uploader_email="",
        )
    with pytest.raises(TypeError, match="PartnerUploaded.notify"):
        PartnerUploaded(
            link_id="ln_1",
            owner_id="u",
            notify=None,
            file_id="fi_1",
            version=1,  # type: ignore[arg-type]
            s3_key="k",
            space_id="s",
            folder_id="f",
            name="n",
            uploader_name="",
            uploader_email="",
        )


def test_a_consumer_refuses_a_detail_that_does_not_fit() -> None:
    good = _sample(PartnerUploaded).event().as_delivered()
    missing = {**good, "detail": {k: v for k, v in good["detail"].items() if k != "s3_key"}}
    with pytest.raises(MalformedEvent, match="s3_key"):
        PartnerUploaded.parse(missing)
    for field, wrong in (("version", "1"), ("version", True), ("notify", 1), ("name", None)):
        bad = {**good, "detail": {**good["detail"], field: wrong}}
        with pytest.raises(MalformedEvent, match=field):
            PartnerUploaded.parse(bad)
    with pytest.raises(MalformedEvent, match="not a kumo.sharing/PartnerUploaded"):
        PartnerUploaded.parse({**good, "detail-type": "FileUploaded"})
    newer = {**good, "detail": {**good["detail"], "added_later": 1}}
    assert PartnerUploaded.parse(newer) == _sample(PartnerUploaded), "fields a newer producer adds are ignored"


def test_the_sample_events_of_the_functions_fit_the_catalogue() -> None:
    bodies = []
    for path in sorted(EVENTS.glob("*.json")):
        event = json.loads(path.read_text(encoding="utf-8"))
        bodies += [json.loads(r["body"]) for r in event["Records"]] if "Records" in event else [event]
    kumo = [b for b in bodies if str(b["source"]).startswith(SOURCE_PREFIX)]
    assert kumo, "the samples include Kumo events"
    for body in kumo:
        kind = event_catalogue.detail_class(body)
        assert kind is not None, body["detail-type"]
        assert set(body["detail"]) == {f.name for f in dataclasses.fields(kind)} | {"event_id", "occurred_at"}
        kind.parse(body)


def _code_strings(path: Path) -> list[tuple[int, str]]:
    """String literals in the module's code (not its docstrings or comments)."""
    text = path.read_text(encoding="utf-8")
    docstrings = set()
    for node in ast.walk(ast.parse(text)):
        body = getattr(node, "body", None)
        if (
            isinstance(body, list)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            docstrings.add(body[0].lineno)
    found = []
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type == tokenize.STRING and token.start[0] not in docstrings:
            try:
                found.append((token.start[0], str(ast.literal_eval(token.string))))
            except ValueError:
                continue  # an f-string
    return found


def test_no_module_spells_an_event_name_or_source_by_hand() -> None:
    """Producers, routing, the indexer, the scanner and the rules import the catalogue instead."""
    allowed = {ROOT / "chalicelib" / "core" / "event_catalogue.py", ROOT / "chalicelib" / "core" / "project_events.py"}
    spelled = []
    for path in sorted(
        [*(ROOT / "chalicelib").rglob("*.py"), *(ROOT / "functions").rglob("*.py"), *(ROOT / "infra").rglob("*.py")]
    ):
        if path in allowed or "cdk.out" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        if "DomainEvent(" in text and path.name != "events.py":
            spelled.append(f"{path.relative_to(ROOT)}: builds a DomainEvent by hand")
        spelled += [
            f"{path.relative_to(ROOT)}:{line}: {value!r}"
            for line, value in _code_strings(path)
            if value in NAMES or value in SOURCES
        ]
    assert spelled == []
