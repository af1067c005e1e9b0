"""Babel's extraction of the interface strings templates ask for.

Templates ask for a string by key: ``f.t('targets')``. Keys chosen at run time
(``f.t(g)`` for a grain) are declared next to where they are used, in a Jinja
comment: ``{# i18n: month quarter year #}``. With ``locale/babel.cfg`` this is
``pybabel extract -F src/onpace/web/locale/babel.cfg -o src/onpace/web/locale/messages.pot src``,
then ``pybabel update`` merges new keys into each language's ``.po``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO, Any

_ASKED = re.compile(r"""f\.t\(\s*['"]([a-z0-9_]+)['"]\s*\)""")
_DECLARED = re.compile(r"\{#\s*i18n:\s*([a-z0-9_ ]+?)\s*#\}")

Extracted = tuple[int, str, str, list[str]]


def extract_template_keys(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Any
) -> Iterator[Extracted]:
    """(line, function, key, comments) for each key a template asks for or declares."""
    text = fileobj.read().decode("utf-8")
    for pattern in (_ASKED, _DECLARED):
        for match in pattern.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            for key in match.group(1).split():
                yield line, "", key, []
