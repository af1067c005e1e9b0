"""Where a source may read from: inside the workspace, or a folder onpace.yml allows.

A sources.yml written by someone else must not turn ``onpace ingest`` into a way to
read any file on the machine (``file: /etc/passwd``, ``file: ../../secrets.csv``, or a
symbolic link in ``data/`` that points out). Every path a source names, and every file
its glob matches, is resolved (symbolic links followed) and must lie inside the
workspace folder or one of ``ingest.allowed_dirs``; otherwise the run stops before any
file is opened, at the line of sources.yml that names it. A DuckDB or SQLite database
file named by a ``database:`` URL follows the same rule.
"""

from __future__ import annotations

import glob
from collections.abc import Sequence
from pathlib import Path

from onpace.errors import IngestError
from onpace.ingest.source_spec import LoadedSources

_FILE_SCHEMES = ("duckdb", "sqlite")


def allowed_roots(root: Path, allowed_dirs: Sequence[str]) -> list[Path]:
    """The workspace folder and the allowed folders, resolved."""
    roots = [root.resolve()]
    for folder in allowed_dirs:
        path = Path(folder).expanduser()
        roots.append((path if path.is_absolute() else root / path).resolve())
    return roots


def _inside(path: Path, roots: Sequence[Path]) -> bool:
    return any(path == r or path.is_relative_to(r) for r in roots)


def _refuse(loaded: LoadedSources, key: tuple[str | int, ...], shown: str, why: str) -> None:
    issue = loaded.issue(
        key,
        f"'{key[-1] if isinstance(key[-1], str) else 'file'}' {why}: {shown[:200]}",
        "copy the file into the workspace, or allow its folder in onpace.yml "
        "(ingest: {allowed_dirs: [...]})",
    )
    raise IngestError(str(issue), issues=[issue])


def source_files(
    root: Path, loaded: LoadedSources, allowed_dirs: Sequence[str] = ()
) -> dict[str, list[Path]]:
    """Per file source, the files it reads (sorted, each once), all inside allowed folders."""
    roots = allowed_roots(root, allowed_dirs)
    found: dict[str, list[Path]] = {}
    for name, source in loaded.sources.items():
        if source.database is not None:
            _check_database(loaded, name, source.database, root, roots)
            continue
        files: list[Path] = []
        for index, pattern in enumerate(source.patterns):
            key: tuple[str | int, ...] = ("sources", name, "file")
            if isinstance(source.file, list):
                key = (*key, index)
            base = Path(pattern).expanduser()
            full = base if base.is_absolute() else root / base
            # the fixed part of the pattern (before any wildcard) must not lead out
            fixed = Path(*full.parts[: _fixed_parts(full)])
            if not _inside(fixed.resolve(), roots):
                _refuse(loaded, key, pattern, "resolves outside the workspace")
            for match in sorted(glob.glob(str(full), recursive=True)):
                path = Path(match)
                if not path.is_file():
                    continue
                if not _inside(path.resolve(), roots):
                    shown = path.relative_to(root) if path.is_relative_to(root) else path
                    what = "matches a link that points outside the workspace"
                    _refuse(loaded, key, str(shown), what)
                files.append(path)
        found[name] = list(dict.fromkeys(files))
    return found


def _fixed_parts(path: Path) -> int:
    """How many leading parts of ``path`` hold no wildcard."""
    for i, part in enumerate(path.parts):
        if glob.has_magic(part):
            return i
    return len(path.parts)


def database_file(url: str, root: Path) -> Path | None:
    """The file a ``duckdb://`` or ``sqlite://`` URL names (relative to the workspace)."""
    scheme, sep, rest = url.partition("://")
    if not sep or scheme.split("+", 1)[0] not in _FILE_SCHEMES:
        return None
    target = rest.split("?", 1)[0]
    if not target or ":memory:" in target:
        return Path(":memory:")
    path = Path(target)
    return path if path.is_absolute() else root / path


def _check_database(
    loaded: LoadedSources, name: str, url: str, root: Path, roots: Sequence[Path]
) -> None:
    path = database_file(url, root)
    if path is None:
        return  # a server: nothing on this machine's disk is read
    if path == Path(":memory:"):
        issue = loaded.issue(
            ("sources", name, "database"),
            "an in-memory database has no data of its own, and its query could read any file",
            "point 'file:' at the files instead (joins and lookups need no SQL)",
        )
        raise IngestError(str(issue), issues=[issue])
    if not _inside(path.resolve(), roots):
        _refuse(loaded, ("sources", name, "database"), str(path), "resolves outside the workspace")


def folders_outside(root: Path, files: Sequence[Path]) -> list[str]:
    """The folders of ``files`` that lie outside workspace ``root`` (for ``allowed_dirs``).

    ``onpace init --from`` proposes sources that read the exports where they are; their
    folders are allowed explicitly in onpace.yml so that the first ingest is not refused.
    """
    inside = root.resolve()
    folders = {str(f.resolve().parent) for f in files if not f.resolve().is_relative_to(inside)}
    return sorted(folders)
