"""The library's sentences in the reader's language: notes, explanations and errors.

Two kinds of text come from below the web layer. Errors are raised and caught in
the same process, so they carry their message id (:meth:`onpace.OnpaceError.keyed`)
and :func:`error_words` says them from the catalogs. Notes and explanations are
data: they are cached, kept in the value store and sent as JSON, where only their
text survives, so they are read back by the very templates the library writes
them with (:data:`PHRASES`), their ``{places}`` taken from the sentence. A
sentence no template knows stays as written, so nothing is lost; a test keeps each
template in step with the sentence the library really writes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

from onpace.errors import OnpaceError
from onpace.web.i18n import STRINGS, form_words, say

# (the library's sentence with its {places}, the catalog key that says it)
PHRASES: tuple[tuple[str, str], ...] = (
    ("no target applies to {period}", "phrase_no_target_applies"),
    ("division by zero: {divisor} is 0", "phrase_division_by_zero"),
    ("the data lacks {what}", "phrase_data_lacks"),
    ("no value for the period yet", "phrase_no_value_yet"),
    (
        "a rate or average has no value over a custom range; pick a month, quarter or year",
        "phrase_no_rate_over_custom_range",
    ),
)


@cache
def _patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    out = []
    for sentence, key in PHRASES:
        parts = re.split(r"\{(\w+)\}", sentence)
        regex = "".join(
            re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts)
        )
        out.append((re.compile(regex + r"\Z"), key))
    return tuple(out)


def _said(text: str, language: str) -> Iterator[str]:
    for pattern, key in _patterns():
        match = pattern.match(text)
        if match and key in STRINGS.get(language, {}):
            yield say(language, key, match.groupdict())


def phrase(text: str | None, language: str) -> str:
    """``text`` in ``language`` when it is one of the library's known sentences.

    A derived KPI's note names the part it is about (``revenue: division by zero:
    prior(revenue) is 0``); the part keeps its name and the rest is translated.

    >>> phrase("no target applies to 2024-Q1", "nl")
    'geen doel voor 2024-Q1'
    >>> phrase("orders: division by zero: prior(orders) is 0", "nl")
    'orders: deling door nul: prior(orders) is 0'
    >>> phrase("something new", "nl")
    'something new'
    """
    if not text:
        return text or ""
    if language == "en":
        return text
    for said in _said(text, language):
        return said
    head, sep, rest = text.partition(": ")
    if sep and rest and " " not in head:
        return head + sep + phrase(rest, language)
    return text


def error_words(exc: OnpaceError, language: str) -> str:
    """An error for a page: said from its message id in ``language`` when it has one
    the catalogs know, else its sentence with command-line flags named as form fields."""
    key = f"error_{exc.reason}" if exc.reason else ""
    if key and key in STRINGS.get(language, STRINGS["en"]):
        return say(language, key, exc.details)
    return phrase(form_words(str(exc), language), language)
