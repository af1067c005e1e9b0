"""The proposal on a corpus of 60+ realistic exports: right for at least 90% of them.

The corpus (tests/ingest/corpus/) is written afresh into a temporary folder; each
business's files are proposed together, once, and every export is scored on its
entity, key, time column, amount and references. The score by entity is printed
(run with ``-s`` to see it) with the exports that are wrong. The same proposals
must then be valid sources.yml files, and load with nothing quarantined.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest

from onpace.catalog.scaffold import create_workspace
from onpace.errors import IngestError
from onpace.ingest.propose import TableProposal, propose
from onpace.ingest.source_spec import SOURCES_FILE, load_sources
from tests.ingest.corpus.build import Scenario, all_scenarios, score_export, write_scenario
from tests.ingest.helpers import ingest

REQUIRED_SHARE = 0.90
# Scenarios whose proposal is right but that the ingest cannot load yet, with the error
# it gives: the test fails when the ingest starts to load them, so this list stays true.
INGEST_FAILS: dict[str, str] = {}


@dataclass
class Proposed:
    scenario: Scenario
    folder: Path
    text: str
    proposals: list[TableProposal]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[Proposed]:
    root = tmp_path_factory.mktemp("corpus")
    out = []
    for scenario in all_scenarios():
        folder = root / scenario.name / "data"
        files = write_scenario(folder, scenario)
        text, proposals = propose(files, folder.parent / "ws")
        out.append(Proposed(scenario, folder, text, proposals))
    return out


def _scores(corpus: list[Proposed]) -> list[tuple[str, str, str | None, list[str]]]:
    out = []
    for item in corpus:
        labels = {p.export.name: p.export.label.split("/")[-1] for p in item.proposals}
        by_label = {p.export.label.split("/")[-1]: p for p in item.proposals}
        for export in item.scenario.exports:
            wrong = score_export(by_label.get(export.label), export, labels)
            out.append((item.scenario.name, export.label, export.expect.entity, wrong))
    return out


def test_corpus_is_large_enough(corpus: list[Proposed]) -> None:
    assert len(corpus) >= 30
    assert sum(len(c.scenario.exports) for c in corpus) >= 60
    assert {c.scenario.language for c in corpus} == {"en", "nl", "de", "fr", "es"}


def test_proposals_are_right_for_nine_in_ten(corpus: list[Proposed]) -> None:
    results = _scores(corpus)
    by_entity: dict[str, list[bool]] = defaultdict(list)
    for _, _, entity, wrong in results:
        by_entity[entity or "(none)"].append(not wrong)
    print("\ncorpus score by entity:")
    for entity, oks in sorted(by_entity.items()):
        print(f"  {entity:14s} {sum(oks)}/{len(oks)}")
    right = sum(not w for *_, w in results)
    print(f"  {'all':14s} {right}/{len(results)} = {right / len(results):.0%}")
    for scenario, label, _, wrong in results:
        if wrong:
            print(f"  wrong: {scenario}/{label}: {'; '.join(wrong)}")
    assert right / len(results) >= REQUIRED_SHARE


def test_every_proposal_is_a_valid_sources_yml(corpus: list[Proposed]) -> None:
    """The YAML reads back and passes sources.yml's own checks (file, line, field)."""
    checked = 0
    for item in corpus:
        if not any(p.entities for p in item.proposals):
            continue
        loaded, issues = load_sources(item.folder.parent / SOURCES_FILE, item.text)
        assert loaded is not None and not issues, (item.scenario.name, [str(i) for i in issues])
        checked += 1
    assert checked >= 40


def test_every_proposal_loads_with_nothing_quarantined(corpus: list[Proposed]) -> None:
    """The proposed sources.yml in a new workspace, then ingest: read = loaded, per scenario."""
    loaded = 0
    for item in corpus:
        if not any(p.entities for p in item.proposals):
            continue
        root = item.folder.parent / "ws"
        create_workspace(
            root,
            "multichannel",
            extra_files={SOURCES_FILE: item.text},
            allowed_dirs=[str(item.folder)],  # the exports stay where they are
        )
        if item.scenario.name in INGEST_FAILS:
            with pytest.raises(IngestError, match=INGEST_FAILS[item.scenario.name]):
                ingest(root, now=dt.datetime(2025, 6, 1))
            continue
        outcome = ingest(root, now=dt.datetime(2025, 6, 1))
        reasons = [s.reasons for s in outcome.sources if s.quarantined]
        assert outcome.quarantined == 0, (item.scenario.name, reasons)
        assert outcome.read == outcome.loaded > 0
        loaded += 1
    assert loaded >= 40
