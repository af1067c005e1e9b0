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
from onpace.targets.candidates import METHOD_LABELS
from onpace.web.i18n import STRINGS, form_words, say, translate

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
    # the parts of a status's explanation (onpace.targets.evaluation.explain), "; " between
    ("projected {share} of target", "phrase_projected_of_target"),
    ("projected {share} of target, probability {chance}", "phrase_projected_probability"),
    ("starts {period}", "phrase_starts"),
    ("ended at {share} of target: {status}", "phrase_ended_at"),
    (
        "{share} of the period gone, too early to tell (under {limit})",
        "phrase_too_early_to_tell",
    ),
    ("projected {level}", "phrase_projected_level"),
    ("ended {level}", "phrase_ended_level"),
    ("pace {share}, projected {projected}", "phrase_pace_projected"),
    ("pace {share}", "phrase_pace"),
    ("projected {share}", "phrase_projected"),
    (
        "pace {share} of the target due so far (no projection: {method})",
        "phrase_pace_no_projection",
    ),
    ("{status}", "phrase_status"),
    # the band of the thresholds a score is in (onpace.targets.pace.band)
    ("on track at {limit} or more", "phrase_band_on_track"),
    ("at risk between {low} and {high}", "phrase_band_at_risk"),
    ("off track below {limit}", "phrase_band_off_track"),
    ("no score", "phrase_no_score"),
    # how a projection was made (onpace.targets.forecast.Projection.summary), "; " between
    ("the period is over: the actual", "phrase_method_actual"),
    ("method: {model}", "phrase_method"),
    (
        "method: {model}, backtest MASE {mase} vs {baseline} {baseline_mase}",
        "phrase_method_backtest",
    ),
    ("run-rate weight {weight}", "phrase_run_rate_weight"),
    ("pipeline weight {weight}", "phrase_pipeline_weight"),
)

# Status words (TargetStatus.status, the band) and levels (TargetStatus.level): the
# catalog key that says each
STATUS_KEYS = {
    "not started": "not_started",
    "too early": "too_early",
    "achieved": "achieved",
    "missed": "missed",
    "on track": "on_track",
    "at risk": "at_risk",
    "off track": "off_track",
    "no data": "no_data",
    "no target": "no_target",
    "hidden": "hidden",
}
LEVEL_KEYS = {
    "below floor": "level_below_floor",
    "floor to target": "level_floor_to_target",
    "target to stretch": "level_target_to_stretch",
    "stretch reached": "level_stretch_reached",
}
# The forecasting methods by the label a projection's summary names them with
METHOD_KEYS = {label: f"method_{name}" for name, label in METHOD_LABELS.items()}
# a place filled with one of these words says the word in the reader's language
_WORDS = {"status": STATUS_KEYS, "level": LEVEL_KEYS, "model": METHOD_KEYS, "baseline": METHOD_KEYS}
# places that hold a number: the words before them end where the number starts
_NUMBERS = frozenset({"mase", "baseline_mase", "weight"})


@cache
def _patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    """Each template as a pattern, the most specific (longest fixed text) first, so
    "pace {share} of the target due so far ..." is tried before "pace {share}"; a
    place never spans the "; " between the parts of an explanation."""
    out = []
    for sentence, key in PHRASES:
        parts = re.split(r"\{(\w+)\}", sentence)
        fixed = sum(len(part) for part in parts[::2])
        regex = "".join(
            re.escape(part) if i % 2 == 0 else f"(?P<{part}>{_place(part)})"
            for i, part in enumerate(parts)
        )
        out.append((fixed, re.compile(regex + r"\Z"), key))
    out.sort(key=lambda item: -item[0])
    return tuple((pattern, key) for _, pattern, key in out)


def _place(name: str) -> str:
    return r"-?[0-9][0-9.,]*%?" if name in _NUMBERS else r"[^;]+?"


def _said(text: str, language: str) -> Iterator[str]:
    for pattern, key in _patterns():
        match = pattern.match(text)
        if not match or key not in STRINGS.get(language, {}):
            continue
        values = match.groupdict()
        words = {name: _WORDS[name].get(v) for name, v in values.items() if name in _WORDS}
        if any(w is None for w in words.values()):
            continue  # "{status}" matches any text: only a known word is one
        for name, word in words.items():
            values[name] = translate(language, str(word))
        yield say(language, key, values)


def phrase(text: str | None, language: str) -> str:
    """``text`` in ``language`` when it is one of the library's known sentences.

    A derived KPI's note names the part it is about (``revenue: division by zero:
    prior(revenue) is 0``); the part keeps its name and the rest is translated.

    >>> phrase("no target applies to 2024-Q1", "nl")
    'geen doel voor 2024-Q1'
    >>> phrase("orders: division by zero: prior(orders) is 0", "nl")
    'orders: deling door nul: prior(orders) is 0'
    >>> phrase("projected 94% of target; at risk", "nl")
    'prognose 94% van het doel; risico'
    >>> phrase("something new", "nl")
    'something new'
    """
    if not text:
        return text or ""
    if language == "en":
        return text
    for said in _said(text, language):
        return said
    if "; " in text:  # a status's explanation: its parts one by one
        return "; ".join(phrase(part, language) for part in text.split("; "))
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
