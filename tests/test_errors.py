"""Every exception lives in onpace.errors, is drawn in its tree and is exported from onpace."""

from __future__ import annotations

import inspect
import re

import onpace
from onpace import errors


def _exceptions() -> list[type[BaseException]]:
    return [
        obj
        for _, obj in inspect.getmembers(errors, inspect.isclass)
        if issubclass(obj, BaseException) and obj.__module__ == errors.__name__
    ]


def test_every_exception_is_exported_and_drawn_in_the_tree() -> None:
    found = _exceptions()
    assert len(found) >= 10
    tree = errors.__doc__ or ""
    for exc in found:
        assert exc.__name__ in onpace.__all__, exc
        assert getattr(onpace, exc.__name__) is exc
        assert re.search(rf"\s{exc.__name__}\s", tree), f"{exc.__name__} is not in the tree"
        assert issubclass(exc, errors.OnpaceError)


# The web layer's own signals, turned into 401/403 responses by its handlers and never
# raised to a caller of the library.
HTTP_SIGNALS = {
    "onpace.web.security.NotLoggedIn",
    "onpace.web.security.Forbidden",
    "onpace.web.security.CsrfError",
}


def test_no_exception_is_defined_outside_errors() -> None:
    import importlib
    import pkgutil

    strays = []
    for info in pkgutil.walk_packages(onpace.__path__, "onpace."):
        if ".migrations." in info.name or info.name == errors.__name__:
            continue
        module = importlib.import_module(info.name)
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, Exception) and obj.__module__ == info.name:
                strays.append(f"{info.name}.{obj.__name__}")
    assert sorted(set(strays) - HTTP_SIGNALS) == [], "define exceptions in onpace/errors.py"


def test_issue_owner_is_exported() -> None:
    assert onpace.IssueOwner is errors.IssueOwner
    assert str(errors.IssueOwner("kpi", "revenue")) == "kpi 'revenue'"
