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
    they do, the card id orders them: nothing is lost either way)."""
    import secrets

    from fractional_indexing import FIError, generate_n_keys_between

    between(before, after)  # the checks, and the error for ranks out of order
    try:
        return str(secrets.choice(generate_n_keys_between(before, after, choices)))
    except FIError as exc:
        raise ValueError(str(exc)) from None
