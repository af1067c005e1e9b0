"""docs/architecture.md lists every module of src/onpace, and no two modules share a name."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "onpace"
PAGE = ROOT / "docs" / "architecture.md"


def _modules() -> list[Path]:
    return [
        p.relative_to(SRC)
        for p in sorted(SRC.rglob("*.py"))
        if "migrations/versions" not in p.relative_to(SRC).as_posix()
    ]


def test_every_module_is_on_the_architecture_page() -> None:
    named = set(re.findall(r"`([\w/.]+)`", PAGE.read_text(encoding="utf-8")))
    missing = []
    for module in _modules():
        path = module.as_posix()
        if module.name == "__init__.py":
            package = module.parent.as_posix()
            if path not in named and f"{package}/" not in named and package != ".":
                missing.append(path)
            continue
        if path not in named:
            missing.append(path)
    assert "__init__.py" in named  # the top-level package
    assert not missing, f"add these modules to docs/architecture.md: {missing}"


def test_the_page_names_no_module_that_does_not_exist() -> None:
    named = re.findall(r"`((?:[a-z_]+/)*[a-z_]+\.py)`", PAGE.read_text(encoding="utf-8"))
    existing = {m.as_posix() for m in _modules()}
    gone = [n for n in named if "/" in n and n not in existing]
    assert not gone, f"docs/architecture.md names modules that do not exist: {gone}"


def test_no_two_modules_share_a_file_name() -> None:
    names = Counter(m.name for m in _modules() if m.name != "__init__.py")
    assert [n for n, count in names.items() if count > 1] == []
