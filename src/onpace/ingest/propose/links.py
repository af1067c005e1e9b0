"""Which columns of one export point at the key of another: header and lines, lookups.

A column *references* another table's key when (nearly) every distinct value it
holds is one of that key's values. That is measured on the data, over the whole
files, in DuckDB. Small integer keys (1, 2, 3, ...) are found inside almost any
column of integers, so for them the names must agree too: the column names the
same thing as the key or its table (``salesRepEmployeeNumber`` and
``employeeNumber``, ``SupportRepId`` and ``Employee.csv``); a key of codes or
words (``ORD-1001``, ``Acme``) speaks for itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from onpace.ingest.propose.exports import Export
from onpace.ingest.propose.profiles import Profile
from onpace.ingest.propose.vocabulary import plain, read_name

MIN_SHARE = 0.95
_GENERIC = {"id", "nr", "no", "num", "number", "code", "key", "ref"}


@dataclass(frozen=True)
class Reference:
    """``table.column`` takes its values from ``target.key`` (``share`` of them are there)."""

    table: str
    column: str
    target: str
    key: str
    share: float
    distinct: int

    def describe(self, targets: dict[str, Export]) -> str:
        label = targets[self.target].label if self.target in targets else self.target
        return f"{self.share:.0%} of its {self.distinct:,} values are {label} {self.key!r} values"


def _squash(name: str) -> str:
    return "".join(ch for ch in plain(name) if ch.isalnum())


def _stem(name: str) -> str:
    """The name without an id word at its end: ``customerNumber`` -> ``customer``."""
    words = [w for w in read_name(name).words if w]
    while len(words) > 1 and words[-1] in _GENERIC:
        words = words[:-1]
    return "".join(words)


def _table_stem(table: Export) -> str:
    words = [w for w in table.concepts.words if w not in _GENERIC]
    stem = "".join(words)
    return stem[:-1] if stem.endswith("s") else stem


def names_agree(column: str, key: str, table: Export) -> bool:
    """Whether a column's name says it holds ``key`` of ``table``."""
    col, k = _squash(column), _squash(key)
    if col == k or (len(k) >= 5 and col.endswith(k)) or (len(col) >= 5 and k.endswith(col)):
        return True
    cc = read_name(column)
    targets = set(read_name(key).subjects) | set(table.concepts.subjects)
    if cc.head is not None and cc.head in targets:
        return True
    stem, table_stem = _stem(column), _table_stem(table)
    if len(stem) < 3 or len(table_stem) < 3:
        return False
    return stem == table_stem or stem.startswith(table_stem) or table_stem.startswith(stem)


def _primary(key: str, table: Export) -> bool:
    """The table's own key: its first column, or named after the table."""
    return bool(table.columns) and (table.columns[0] == key or _stem(key) == _table_stem(table))


def _keys_of(profiles: list[Profile]) -> list[Profile]:
    # integer keys 1..N are keys too (InvoiceId, EmployeeId); their names must agree
    return [p for p in profiles if p.unique and p.id_like]


def _share(con: Any, a: Export, column: str, b: Export, key: str) -> tuple[float, int]:
    ca = '"' + column.replace('"', '""') + '"'
    cb = '"' + key.replace('"', '""') + '"'
    row = con.execute(
        f"WITH a AS (SELECT DISTINCT nullif(trim({ca}), '') AS v FROM {a.view}), "
        f"b AS (SELECT DISTINCT nullif(trim({cb}), '') AS v FROM {b.view}) "
        "SELECT count(*) FILTER (WHERE b.v IS NOT NULL), count(*) "
        "FROM a LEFT JOIN b ON a.v = b.v WHERE a.v IS NOT NULL"
    ).fetchone()
    found, total = int(row[0]), int(row[1])
    return (found / total if total else 0.0), total


_REFERENCE_ATTRIBUTES = {"id", "name", "email"}


def _named_as_reference(p: Profile) -> bool:
    """A name that may hold another table's key: "CustomerId", "Account", not "rental_duration"."""
    groups = p.concepts.alternatives("attributes", unless="subjects")
    # "address_id" is the id of an address; "rental_duration" is no id at all
    return not groups or any(set(g) & _REFERENCE_ATTRIBUTES for g in groups)


def _worth_trying(p: Profile, key: Profile, a: Export, b: Export) -> bool:
    if not p.id_like or (p.is_integer != key.is_integer) or not _named_as_reference(p):
        return False
    if p.distinct > key.distinct:
        return False
    if key.is_integer or key.max_len <= 3:
        return names_agree(p.name, key.name, b)
    return True


def find_references(
    con: Any, exports: list[Export], profiles: dict[str, list[Profile]]
) -> list[Reference]:
    """Every column of every export that references a unique column of another export."""
    found: list[Reference] = []
    for b in exports:
        for key in _keys_of(profiles.get(b.name, [])):
            for a in exports:
                if a.name == b.name:
                    continue
                for p in profiles.get(a.name, []):
                    if not _worth_trying(p, key, a, b):
                        continue
                    share, distinct = _share(con, a, p.name, b, key.name)
                    if share >= MIN_SHARE and (distinct >= 3 or names_agree(p.name, key.name, b)):
                        found.append(Reference(a.name, p.name, b.name, key.name, share, distinct))
    return _best_per_column(found, exports)


def _rank(ref: Reference, by_name: dict[str, Export]) -> tuple[bool, bool, float]:
    target = by_name[ref.target]
    return (names_agree(ref.column, ref.key, target), _primary(ref.key, target), ref.share)


def _best_per_column(found: list[Reference], exports: list[Export]) -> list[Reference]:
    """One target per column: the one whose names agree, then the larger share."""
    by_name = {e.name: e for e in exports}
    best: dict[tuple[str, str], Reference] = {}
    for ref in found:
        slot = (ref.table, ref.column)
        current = best.get(slot)
        if current is None or _rank(ref, by_name) > _rank(current, by_name):
            best[slot] = ref
    return list(best.values())
