"""What an ingest produced: row accounting per source and rows per entity.

These plain records travel from the checks to the swap, the ledger and the
printed summary; none of them touches the warehouse.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from onpace.ingest.readers import FileRead


@dataclass
class Part:
    """One source's rows of one entity: the query, its columns, whether its keys are unique.

    ``rank`` orders the sources of one entity for a repeated key: the lowest wins.
    """

    query: str
    columns: list[str]
    unique: bool
    source: str = ""
    rank: int = 0
    places: dict[str, int | None] = field(default_factory=dict)  # money places stated


@dataclass
class SourceResult:
    """Row accounting of one source: read = loaded + quarantined."""

    name: str
    files: list[FileRead]
    read: int = 0
    loaded: int = 0
    quarantined: int = 0
    reasons: dict[str, int] = field(default_factory=dict)


@dataclass
class IngestResult:
    """What an ingest did, for the summary and the report."""

    run_id: str
    unchanged: bool
    sources: list[SourceResult]
    entities: dict[str, int]
    replaced: dict[str, int]
    notes: list[str]

    @property
    def read(self) -> int:
        return sum(s.read for s in self.sources)

    @property
    def loaded(self) -> int:
        return sum(s.loaded for s in self.sources)

    @property
    def quarantined(self) -> int:
        return sum(s.quarantined for s in self.sources)
