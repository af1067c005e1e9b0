"""Write the proposal as sources.yml, with a comment saying how sure and why, per line.

The YAML is written by hand (PyYAML drops comments) but every scalar goes through
``yaml.safe_dump``, so quoting is always right and the file reads back as written.
Exports that are not proposed stay in the file as comments with the reason.
"""

from __future__ import annotations

from typing import Any

import yaml

from onpace.ingest.propose.proposal import (
    EntityProposal,
    SourceJoin,
    TableProposal,
    confidence_word,
)
from onpace.model.entities import ENTITIES

_INDENT = "  "


def scalar(value: Any) -> str:
    """A YAML scalar or flow collection, quoted as YAML needs."""
    text = yaml.safe_dump(
        value, default_flow_style=True, allow_unicode=True, width=10**6, sort_keys=False
    )
    return text.removesuffix("\n").removesuffix("\n...").strip()


def _comment(score: float, reason: str) -> str:
    return f"  # {confidence_word(score)}: {reason}".replace("\n", " ")


def _value_lines(key: str, value: Any, depth: int, comment: str = "") -> list[str]:
    pad = _INDENT * depth
    if isinstance(value, dict) and any(isinstance(v, dict) for v in value.values()):
        lines = [f"{pad}{scalar(key)}:{comment}"]
        for k, v in value.items():
            lines.extend(_value_lines(str(k), v, depth + 1))
        return lines
    return [f"{pad}{scalar(key)}: {scalar(value)}{comment}"]


def _entity_lines(e: EntityProposal, depth: int) -> list[str]:
    pad = _INDENT * depth
    lines = [f"{pad}{e.entity}:{_comment(e.score, e.reason)}"]
    inner = _INDENT * (depth + 1)
    if e.where:
        lines.append(f"{inner}where: {scalar(e.where)}")
    if e.lines and e.key:
        lines.append(f"{inner}group_by: {ENTITIES[e.entity].key}")
    lines.append(f"{inner}columns:")
    order = ENTITIES[e.entity].column_names
    for column in sorted(e.columns, key=lambda c: order.index(c) if c in order else len(order)):
        choice = e.columns[column]
        lines.extend(
            _value_lines(column, choice.spec, depth + 2, _comment(choice.score, choice.reason))
        )
    return lines


def _join_lines(join: SourceJoin, depth: int) -> list[str]:
    pad = _INDENT * depth
    by: Any = (
        next(iter(join.by))
        if all(k == v for k, v in join.by.items()) and len(join.by) == 1
        else join.by
    )
    take: Any = list(join.take) if all(k == v for k, v in join.take.items()) else join.take
    body: dict[str, Any] = {"source": join.source, "by": by, "take": take}
    if join.missing != "quarantine":
        body["missing"] = join.missing
    return [f"{pad}- {scalar(body)}  # {join.reason}"]


def _source_lines(p: TableProposal) -> list[str]:
    e = p.export
    what = ", ".join(f"{en.entity} ({en.confidence})" for en in p.entities) or "a lookup"
    head = f"{_INDENT}# {e.label}: {e.rows:,} rows; {what}"
    lines = [head, *(f"{_INDENT}# {n}" for n in p.notes)]
    lines.append(f"{_INDENT}{e.name}:")
    body = _INDENT * 2
    lines.append(f"{body}file: {scalar(e.shown)}")
    if e.sheet:
        lines.append(f"{body}sheet: {scalar(e.sheet)}")
    if p.decimal == ",":
        lines.append(f'{body}decimal: ","')
    if p.joins:
        lines.append(f"{body}join:")
        for join in p.joins:
            lines.extend(_join_lines(join, 3))
    if p.lookup_for:
        lines.append(f"{body}# feeds no entity: {p.reason}")
    if p.entities:
        lines.append(f"{body}entities:")
        for entity in p.entities:
            lines.extend(_entity_lines(entity, 3))
    return lines


def _skipped_lines(p: TableProposal) -> list[str]:
    e = p.export
    size = f"{e.rows:,} rows" if e.rows else "no rows read"
    return [f"{_INDENT}# {e.label} ({size}): not proposed: {p.reason}"]


def sources_text(proposals: list[TableProposal]) -> str:
    """The whole sources.yml: proposed sources, then the exports left out and why."""
    parts = [
        "# sources.yml proposed by 'onpace init --from'. Each line says how sure the",
        "# proposal is (high, medium, low) and why. Check every mapping, then run",
        "# 'onpace ingest'. Reference: docs/sources.md",
        "sources:",
    ]
    for p in proposals:
        if p.entities or p.lookup_for:
            parts.extend(_source_lines(p))
    skipped = [p for p in proposals if not p.entities and not p.lookup_for]
    if skipped:
        parts.append(f"{_INDENT}# Not proposed:")
        for p in skipped:
            parts.extend(_skipped_lines(p))
    return "\n".join(parts) + "\n"
