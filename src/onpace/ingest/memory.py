"""How much memory an ingest's DuckDB may hold before it spills to disk.

An ingest keeps each file's text and its typed, checked rows as temporary tables
until the swap. Left to its default (most of the machine's memory), DuckDB holds
both in memory and a 10M-row export peaks at about four times what a plain
``read_csv`` of it takes. With a budget in proportion to the files' size, DuckDB
writes what does not fit to its temporary folder instead: the same rows, a peak
close to a plain read, at some cost in speed when the files are large.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb

MIB = 1024 * 1024
FLOOR = 256 * MIB  # small files: never tighter than this
PER_FILE_BYTE = 1.5  # bytes of memory per byte of text: the rest of text and typed copy spill
# DuckDB's own error when a step needs more than the limit and cannot spill
OUT_OF_MEMORY: type[Exception] = duckdb.OutOfMemoryException
PACKED = {".gz": 5, ".zip": 5, ".xlsx": 8, ".xls": 4}  # bytes of text per stored byte


def budget(files: Mapping[str, Sequence[Path]]) -> int:
    """The memory budget, in bytes, for reading ``files`` (source name to its paths)."""
    total = 0
    for paths in files.values():
        for path in paths:
            try:
                size = path.stat().st_size
            except OSError:
                continue  # reading it will say what is wrong
            total += size * PACKED.get(path.suffix.lower(), 1)
    return max(FLOOR, int(PER_FILE_BYTE * total))


@contextlib.contextmanager
def limited(con: Any, limit: int) -> Iterator[None]:
    """DuckDB's ``memory_limit`` at ``limit`` bytes (never above its own) for the block."""
    before = _setting(con)
    current = parse_size(before)
    if current and limit >= current:
        yield
        return
    con.execute(f"SET memory_limit = '{int(limit)}B'")
    try:
        yield
    finally:  # as it was shown, to 0.1 of its unit (RESET leaves the buffers' limit low)
        con.execute(f"SET memory_limit = '{before}'")


def _setting(con: Any) -> str:
    return str(con.execute("SELECT current_setting('memory_limit')").fetchone()[0])


def parse_size(setting: str) -> int:
    """DuckDB's rendering of a size (``'19.5 GiB'``, ``'256.0 MiB'``) in bytes."""
    number, _, unit = setting.strip().partition(" ")
    scale = {"B": 1, "KiB": 1024, "MiB": MIB, "GiB": 1024 * MIB, "TiB": 1024 * 1024 * MIB}
    scale |= {"KB": 1000, "MB": 1000**2, "GB": 1000**3, "TB": 1000**4, "bytes": 1}
    return int(float(number) * scale.get(unit or "B", 1))
