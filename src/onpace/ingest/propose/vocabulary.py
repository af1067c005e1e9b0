"""Read a header or a file name as concepts: "Rechnungsdatum" is invoice + date.

The words live in vocabulary.yml (English, Dutch, German, French and Spanish),
grouped into subjects, attributes, events and modifiers. A name is lower-cased,
stripped of accents, split at punctuation and camel case, and each piece that is
not a known word is split into known words where it can be ("kundennummer" is
"kunden" + "nummer", "eintrittsdatum" is "eintritt" + "s" + "datum"). Phrases
("closed won", "date of birth") are matched before single words, longest first.

>>> read_name("Rechnungsdatum").subjects, read_name("Rechnungsdatum").attributes
(('invoice',), ('date',))
>>> read_name("salesRepEmployeeNumber").subjects
('rep',)
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

KINDS = ("subjects", "attributes", "events", "modifiers")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_SPLIT = re.compile(r"[^a-z0-9]+")
# linking letters of compounds: Rechnung-s-nummer, Kunde-n-nummer
_LINKS = ("s", "n", "en", "e")
_OF_WORDS = frozenset({"de", "du", "des", "del", "da", "di", "of", "van", "von"})


def plain(text: str) -> str:
    """Lower case, no accents (ä -> a, é -> e, ß -> ss), ``ø`` -> o."""
    text = text.replace("ß", "ss").replace("ø", "o").replace("Ø", "o")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def words(text: str) -> tuple[str, ...]:
    """The words of a name: split at camel case, punctuation and digits' edges."""
    spaced = _CAMEL.sub(" ", text.replace("#", " id "))
    return tuple(w for w in _SPLIT.split(plain(spaced)) if w)


@dataclass(frozen=True)
class Concepts:
    """What a name says, by kind of concept, in the order the words came."""

    subjects: tuple[str, ...] = ()
    attributes: tuple[str, ...] = ()
    events: tuple[str, ...] = ()
    modifiers: tuple[str, ...] = ()
    words: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()
    # per phrase, the (kind, concept) pairs it may mean: "state" is a status or a region
    groups: tuple[tuple[tuple[str, str], ...], ...] = ()

    def alternatives(self, kind: str, unless: str | None = None) -> list[tuple[str, ...]]:
        """Per phrase that means a concept of ``kind``, the concepts it may mean.

        ``unless`` leaves out phrases that may also mean a concept of that kind:
        "Bewertung" is a score, or the subject (a review) a "Bewertungs-ID" numbers.
        """
        out = []
        for group in self.groups:
            if unless is not None and any(k == unless for k, _ in group):
                continue
            members = tuple(c for k, c in group if k == kind)
            if members:
                out.append(members)
        return out

    @property
    def head(self) -> str | None:
        """The subject the column is about when a header names several.

        "Company owner" is an owner (of a company), "Responsable du compte" a
        responsable: English, Dutch and German put the head last, a header joined
        by de/du/del/of puts it first.
        """
        if not self.subjects:
            return None
        if len(self.subjects) > 1 and set(self.words) & _OF_WORDS:
            return self.subjects[0]
        return self.subjects[-1]

    def of(self, kind: str) -> tuple[str, ...]:
        value: tuple[str, ...] = getattr(self, kind)
        return value

    @property
    def empty(self) -> bool:
        return not (self.subjects or self.attributes or self.events or self.modifiers)


@dataclass(frozen=True)
class Vocabulary:
    """Phrases (word tuples) to the concepts they mean, and every known single word."""

    phrases: dict[tuple[str, ...], tuple[tuple[str, str], ...]]
    longest: int
    known: frozenset[str]
    statuses: dict[str, frozenset[str]]

    def split_compound(self, word: str) -> tuple[str, ...]:
        """``word`` as known words, or itself when it cannot be split."""
        return _split(word, self.known) or (word,)


def _split(word: str, known: frozenset[str]) -> tuple[str, ...] | None:
    if word in known:
        return (word,)
    for cut in range(len(word) - 1, 2, -1):
        head, rest = word[:cut], word[cut:]
        if head not in known:
            continue
        if rest in _LINKS:  # Bewertungs-, Kunden-: a linking letter at the end
            return (head,)
        tail = _split(rest, known)
        if tail is not None:
            return (head, *tail)
        for link in _LINKS:
            if rest.startswith(link) and len(rest) > len(link) + 2:
                tail = _split(rest[len(link) :], known)
                if tail is not None:
                    return (head, *tail)
    return None


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    """The vocabulary of the package data, read once."""
    text = resources.files("onpace.ingest.propose").joinpath("vocabulary.yml").read_text("utf-8")
    # every entry is a word: "no" and "on" are not booleans here
    raw: dict[str, Any] = yaml.load(text, Loader=yaml.BaseLoader)
    phrases: dict[tuple[str, ...], list[tuple[str, str]]] = {}
    for kind in KINDS:
        for concept, languages in raw[kind].items():
            for entries in languages.values():
                for entry in entries:
                    key = words(str(entry))
                    if key:
                        phrases.setdefault(key, []).append((kind, concept))
    statuses = {
        outcome: frozenset(" ".join(words(str(w))) for entries in langs.values() for w in entries)
        for outcome, langs in raw["statuses"].items()
    }
    known = frozenset(w for key in phrases for w in key if len(w) > 2)
    return Vocabulary(
        {k: tuple(dict.fromkeys(v)) for k, v in phrases.items()},
        max(len(k) for k in phrases),
        known,
        statuses,
    )


def _singular(word: str, vocab: Vocabulary) -> str:
    """An English plural the vocabulary lists in the singular: companies -> company."""
    for suffix, replacement in (("ies", "y"), ("es", ""), ("s", "")):
        if word.endswith(suffix) and word[: -len(suffix)] + replacement in vocab.known:
            return word[: -len(suffix)] + replacement
    return word


def _tokens(name: str, vocab: Vocabulary) -> list[str]:
    out: list[str] = []
    for word in words(name):
        if word not in vocab.known:
            word = _singular(word, vocab)
        out.extend(vocab.split_compound(word) if word not in vocab.known else (word,))
    return out


@lru_cache(maxsize=4096)
def read_name(name: str) -> Concepts:
    """The concepts in a header or file name (phrases first, longest first)."""
    vocab = vocabulary()
    tokens = _tokens(name, vocab)
    found: dict[str, list[str]] = {k: [] for k in KINDS}
    groups: list[tuple[tuple[str, str], ...]] = []
    unknown: list[str] = []
    i = 0
    while i < len(tokens):
        for size in range(min(vocab.longest, len(tokens) - i), 0, -1):
            meanings = vocab.phrases.get(tuple(tokens[i : i + size]))
            if meanings:
                groups.append(meanings)
                for kind, concept in meanings:
                    if concept not in found[kind]:
                        found[kind].append(concept)
                i += size
                break
        else:
            if not tokens[i].isdigit():
                unknown.append(tokens[i])
            i += 1
    return Concepts(
        tuple(found["subjects"]),
        tuple(found["attributes"]),
        tuple(found["events"]),
        tuple(found["modifiers"]),
        tuple(tokens),
        tuple(unknown),
        tuple(groups),
    )


def status_outcome(value: str) -> str | None:
    """``won``, ``lost`` or ``cancelled`` when a status value says so, else None."""
    text = " ".join(words(value))
    if not text:
        return None
    statuses = vocabulary().statuses
    for outcome in ("won", "lost", "cancelled"):
        if text in statuses[outcome]:
            return outcome
    for outcome in ("won", "lost", "cancelled"):
        if any(f" {w} " in f" {text} " for w in statuses[outcome]):
            return outcome
    return None
