"""Fractional ranks: the order of lists on a board and of cards in a list.

A rank is a string that sorts as text; a card moved between two others gets a rank strictly
between theirs, so a move writes that one card and nothing else, however long the list. The
keys come from the `fractional-indexing` package (the algorithm of Figma and
rocicorp/fractional-indexing): appending or prepending grows a key logarithmically, inserting
again and again at the same place by about one character per six inserts.
"""

from __future__ import annotations

MAX_LENGTH = 200  # a longer rank in a request is not one of ours


def valid(rank: str) -> bool:
    from fractional_indexing import BASE_62_DIGITS, FIError, validate_order_key

    if not 1 < len(rank) <= MAX_LENGTH or not set(rank) <= set(BASE_62_DIGITS):
        return False
    try:
        validate_order_key(rank)
    except (FIError, KeyError, ValueError, IndexError):
        return False
    return True


def between(before: str | None, after: str | None) -> str:
    """A rank after `before` and before `after` (None: the start / the end of the list).
    ValueError when they are not ranks or not in order."""
    from fractional_indexing import FIError, generate_key_between

    for rank in (before, after):
        if rank is not None and not valid(rank):
            raise ValueError(f"not a rank: {rank!r}")
    try:
        return str(generate_key_between(before, after))
    except FIError as exc:
        raise ValueError(str(exc)) from None


def spread(count: int, after: str | None = None) -> list[str]:
    """`count` ranks in order after `after`: a new board's lists, a template's cards."""
    from fractional_indexing import generate_n_keys_between

    return [str(k) for k in generate_n_keys_between(after, None, count)] if count else []


def pick_between(before: str | None, after: str | None, choices: int = 16) -> str:
    """A rank between the two, chosen at random among `choices` evenly spread ones: two people
    who drop a card into the same gap at the same moment almost never get the same rank (and if
    they do, the card id orders them: nothing is lost either way). A drop is the board's most
    frequent write, so only the chosen one of those ranks is computed (nth_between)."""
    import secrets

    from fractional_indexing import FIError

    for rank in (before, after):
        if rank is not None and not valid(rank):
            raise ValueError(f"not a rank: {rank!r}")
    try:
        return nth_between(before, after, choices, secrets.randbelow(choices))
    except FIError as exc:  # out of order
        raise ValueError(str(exc)) from None


def nth_between(before: str | None, after: str | None, count: int, index: int) -> str:
    """generate_n_keys_between(before, after, count)[index], computing only the keys on the way to
    it (a halving between two ranks, a walk from the open end otherwise) instead of all `count`."""
    from fractional_indexing import generate_key_between

    if count == 1:
        return str(generate_key_between(before, after))
    if after is None:  # consecutive keys after `before`: the index-th step from it
        key = generate_key_between(before, None)
        for _ in range(index):
            key = generate_key_between(key, None)
        return str(key)
    if before is None:  # consecutive keys before `after`, in order: count - 1 - index steps back
        key = generate_key_between(None, after)
        for _ in range(count - 1 - index):
            key = generate_key_between(None, key)
        return str(key)
    middle = count // 2
    key = generate_key_between(before, after)
    if index < middle:
        return nth_between(before, key, middle, index)
    if index == middle:
        return str(key)
    return nth_between(key, after, count - middle - 1, index - middle - 1)
