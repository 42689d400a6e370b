"""Markers for translatable strings that are translated later, at display time."""


def N_(message: str) -> str:  # noqa: N802 - the gettext convention
    """Mark a msgid for extraction (pybabel) without translating it now."""
    return message
