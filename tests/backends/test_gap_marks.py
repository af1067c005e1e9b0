"""The ``gap`` mark: a known difference of one backend is a strict xfail there and nowhere else."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.support.backends import mark_gaps


class FakeItem:
    def __init__(self, backend: str | None, *marks: pytest.MarkDecorator) -> None:
        self.callspec = SimpleNamespace(params={"backend": backend}) if backend else None
        self.marks = [m.mark for m in marks]
        self.added: list[pytest.MarkDecorator] = []

    def iter_markers(self, name: str):  # type: ignore[no-untyped-def]
        return (m for m in self.marks if m.name == name)

    def add_marker(self, marker: pytest.MarkDecorator) -> None:
        self.added.append(marker)


def test_a_gap_is_a_strict_xfail_on_its_backends_only() -> None:
    gap = pytest.mark.gap(["pyspark", "postgres"], reason="no such function")
    on_spark = FakeItem("pyspark", gap)
    mark_gaps(on_spark)  # type: ignore[arg-type]
    [xfail] = on_spark.added
    assert xfail.name == "xfail"
    assert xfail.kwargs == {"reason": "pyspark: no such function", "strict": True}
    on_duckdb = FakeItem("duckdb", gap)
    mark_gaps(on_duckdb)  # type: ignore[arg-type]
    assert on_duckdb.added == []


def test_one_backend_may_be_named_alone_and_tests_without_backends_are_left_alone() -> None:
    item = FakeItem("postgres", pytest.mark.gap("postgres", reason="collation"))
    mark_gaps(item)  # type: ignore[arg-type]
    assert [m.kwargs["reason"] for m in item.added] == ["postgres: collation"]
    plain = FakeItem(None, pytest.mark.gap("postgres", reason="x"))
    mark_gaps(plain)  # type: ignore[arg-type]
    assert plain.added == []
