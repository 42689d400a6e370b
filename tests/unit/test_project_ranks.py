"""Card and list order: a rank between two others, always, without touching them."""

from __future__ import annotations

import random

import pytest

from chalicelib.projects import ranks


def test_a_rank_falls_strictly_between_its_neighbours_wherever_cards_are_dropped() -> None:
    rng = random.Random(7)
    order = ranks.spread(3)
    for _ in range(3000):
        at = rng.randint(0, len(order))
        before = order[at - 1] if at > 0 else None
        after = order[at] if at < len(order) else None
        order.insert(at, ranks.between(before, after))
    assert order == sorted(order) and len(set(order)) == len(order)
    assert all(ranks.valid(r) for r in order)


def test_appending_a_thousand_cards_keeps_ranks_short() -> None:
    last: str | None = None
    for _ in range(1000):
        last = ranks.between(last, None)
    assert last is not None and len(last) <= 4


def test_ranks_from_a_request_that_are_not_ours_or_out_of_order_are_refused() -> None:
    assert not ranks.valid("a0 ") and not ranks.valid("") and not ranks.valid("x" * 300)
    with pytest.raises(ValueError):
        ranks.between("a1", "a0")
    with pytest.raises(ValueError):
        ranks.between("a1", "a1")
    with pytest.raises(ValueError):
        ranks.between("<script>", None)


@pytest.mark.parametrize(
    ("before", "after"), [(None, None), ("a0", None), (None, "a0"), ("a0", "a1"), ("a0V", "a0W"), ("Zz", "a0")]
)
def test_the_one_rank_picked_is_the_one_the_whole_spread_would_hold(before: str | None, after: str | None) -> None:
    """A drop computes only the rank it picks (ranks.nth_between), not all sixteen it picks from."""
    from fractional_indexing import generate_n_keys_between

    for count in (1, 2, 5, 16):
        spread = generate_n_keys_between(before, after, count)
        assert [ranks.nth_between(before, after, count, i) for i in range(count)] == spread


def test_a_picked_rank_is_between_and_out_of_order_neighbours_are_refused() -> None:
    picked = {ranks.pick_between("a0", "a1") for _ in range(200)}
    assert len(picked) > 8 and all("a0" < r < "a1" for r in picked)
    with pytest.raises(ValueError):
        ranks.pick_between("a1", "a0")
    with pytest.raises(ValueError):
        ranks.pick_between("not a rank!", None)
