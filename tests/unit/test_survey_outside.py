"""Outside organisations on a survey (surveys/outside.py): what the issuer may write about them."""

from __future__ import annotations

import pytest

from chalicelib.core.errors import BadRequest
from chalicelib.surveys import outside
from chalicelib.surveys.outside import ExternalTarget


def _one(
    name: str = "北見市 企画課", email: str = "kikaku@city.kitami.example.lg.jp", org_id: str = ""
) -> ExternalTarget:
    return ExternalTarget(org_id, name, email)


def test_each_organisation_gets_an_id_that_stays_and_tidy_values() -> None:
    first = outside.checked((_one(name="  北見市　 企画課 ", email=" Kikaku@City.Kitami.Example.LG.JP "),))
    (target,) = first
    assert target.name == "北見市 企画課" and target.email == "kikaku@city.kitami.example.lg.jp"
    assert outside.ORG_ID.match(target.org_id)
    again = outside.checked(first)
    assert again == first, "a saved draft keeps its organisations' ids (its answers are keyed by them)"
    assert target.unit_id == f"ext:{target.org_id}" and outside.is_external(target.unit_id)


@pytest.mark.parametrize(
    "address",
    [
        "",
        "kikaku",
        "kikaku@city",
        "kikaku@@city.example.jp",
        "a b@city.example.jp",
        "a..b@city.example.jp",
        ".a@city.example.jp",
        "a@-city.example.jp",
        "a@city.example.1",
        "a@city..example.jp",
        "a@city.example.j",
        "x" * 65 + "@city.example.jp",
        "a@" + "b" * 250 + ".jp",
    ],
)
def test_an_address_mail_cannot_reach_is_refused_with_its_row(address: str) -> None:
    with pytest.raises(BadRequest) as refused:
        outside.checked((_one(), _one(name="網走市", email=address)))
    assert refused.value.details["field"] == "external_targets" and refused.value.details["row"] == 2


@pytest.mark.parametrize(
    "address", ["kikaku@city.kitami.example.lg.jp", "o'brien+survey@partner-body.example.org", "a@b.co"]
)
def test_ordinary_addresses_pass(address: str) -> None:
    assert outside.checked((_one(email=address),))[0].email == address.lower()


@pytest.mark.parametrize("name", ["", "   ", "あ" * 101, "北見市\u202e企画課", "北見\x00市"])
def test_a_name_of_1_to_100_shown_characters_is_needed(name: str) -> None:
    with pytest.raises(BadRequest) as refused:
        outside.checked((_one(name=name),))
    assert refused.value.details["row"] == 1


def test_a_name_of_100_characters_is_fine_and_a_name_twice_is_not() -> None:
    assert outside.checked((_one(name="あ" * 100),))[0].name == "あ" * 100
    with pytest.raises(BadRequest) as refused:
        outside.checked((_one(), _one(email="other@town.example.jp")))
    assert refused.value.details["name"] == "北見市 企画課"


def test_at_most_200_organisations() -> None:
    many = tuple(_one(name=f"町 {i}", email=f"t{i}@town.example.jp") for i in range(outside.MAX_ORGANISATIONS))
    assert len(outside.checked(many)) == outside.MAX_ORGANISATIONS
    with pytest.raises(BadRequest) as refused:
        outside.checked((*many, _one()))
    assert refused.value.details["limit"] == 200


def test_an_id_the_survey_did_not_give_is_refused() -> None:
    for org_id in ("../ext:other", "org_ZZZ", "x" * 40):
        with pytest.raises(BadRequest):
            outside.checked((_one(org_id=org_id),))
    with pytest.raises(BadRequest):
        outside.checked((_one(org_id="org_0123456789abcdef"), _one("網走市", "a@b.jp", "org_0123456789abcdef")))


def test_a_request_body_of_the_wrong_shape_is_a_400_and_json_round_trips() -> None:
    for raw in ("北見市", [["北見市", "a@b.jp"]], {"name": "北見市"}):
        with pytest.raises(BadRequest):
            outside.parse(raw)
    parsed = outside.parse([{"name": "北見市", "email": "a@b.jp"}])
    assert parsed == (ExternalTarget("", "北見市", "a@b.jp"),) and outside.parse(None) == ()
    stored = outside.checked(parsed)
    assert outside.from_json(outside.to_json(stored)) == stored
