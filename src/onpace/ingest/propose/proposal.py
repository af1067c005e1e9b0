"""What ``onpace init --from`` proposes, as data: per export, its entities and why.

The sources.yml text is written from these (see sources_text.py); tests and the
export corpus read them directly, so each decision can be checked on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from onpace.ingest.propose.entity_choice import Choice
from onpace.ingest.propose.exports import Export
from onpace.ingest.propose.links import Reference


@dataclass
class SourceJoin:
    """Columns an export takes from another export's rows by key (sources.yml ``join``).

    ``by`` pairs this export's column with the other's; ``take`` names the other's
    columns to add, and what they are called here (the same, unless that collides).
    """

    source: str
    by: dict[str, str]
    take: dict[str, str]
    reason: str
    missing: str = "quarantine"


@dataclass
class EntityProposal:
    """One entity fed by an export: its key, its columns, and how sure the proposal is."""

    entity: str
    score: float
    reason: str
    key: str | None
    lines: bool = False
    columns: dict[str, Choice] = field(default_factory=dict)
    where: str | None = None
    derived: bool = False

    @property
    def confidence(self) -> str:
        return confidence_word(self.score)

    def source_of(self, column: str) -> str | None:
        """The export column (or expression) an entity column is read from, if any."""
        choice = self.columns.get(column)
        if choice is None:
            return None
        if choice.source is not None:
            return choice.source
        spec = choice.spec
        return str(spec.get("expr")) if isinstance(spec, dict) and "expr" in spec else None


@dataclass
class TableProposal:
    """Everything proposed for one export (a file or a sheet)."""

    export: Export
    entities: list[EntityProposal] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    joins: list[SourceJoin] = field(default_factory=list)
    lookup_for: list[str] = field(default_factory=list)
    reason: str = ""
    notes: list[str] = field(default_factory=list)
    decimal: str | None = None

    @property
    def main(self) -> EntityProposal | None:
        """The entity the export's own rows are (not one derived from them)."""
        return next((e for e in self.entities if not e.derived), None)

    @property
    def entity(self) -> str | None:
        main = self.main
        return main.entity if main else None


def confidence_word(score: float) -> str:
    """high, medium or low: how a score reads in the proposal's comments."""
    if score >= 0.75:
        return "high"
    if score >= 0.55:
        return "medium"
    return "low"
