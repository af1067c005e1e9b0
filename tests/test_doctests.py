"""The examples in the docstrings of src/onpace run, and give what they show.

Examples that need a workspace, a database or a server say ``# doctest: +SKIP``;
everything else runs here, module by module.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import onpace


def _modules_with_examples() -> list[str]:
    finder = doctest.DocTestFinder()
    names = []
    for info in pkgutil.walk_packages(onpace.__path__, "onpace."):
        if ".migrations" in info.name:  # Alembic's scripts run only inside a migration
            continue
        module = importlib.import_module(info.name)
        if any(t.examples for t in finder.find(module)):
            names.append(info.name)
    return names


MODULES = _modules_with_examples()


def test_there_are_examples_to_run() -> None:
    assert len(MODULES) >= 10


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report: list[str] = []
    for test in doctest.DocTestFinder().find(module):
        runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)
