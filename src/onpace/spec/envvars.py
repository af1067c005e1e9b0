"""``${VAR}`` in settings: secrets stay in the environment, never in onpace.yml."""

from __future__ import annotations

import os
import re

from onpace.errors import OnpaceError, WorkspaceError

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def expand_env(text: str, setting: str, error: type[OnpaceError] = WorkspaceError) -> str:
    """``text`` with every ``${VAR}`` replaced by the environment variable VAR.

    A variable that is not set raises ``error`` naming it and the ``setting`` it is used in.
    """

    def value(m: re.Match[str]) -> str:
        found = os.environ.get(m.group(1))
        if found is None:
            raise error(f"environment variable {m.group(1)} is not set (used in {setting})")
        return found

    return _VAR.sub(value, text)
