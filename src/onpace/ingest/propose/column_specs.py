"""The sources.yml mapping of one proposed column: from, format, agg, map, expr.

A date gets the format its values were read in; a status gets a map of every value
in the file to what the model says (won, lost, open; completed, cancelled); on order
*lines* the amounts that differ between the lines of one order are added up, while
an order total written on every line (or only on the first) is taken once.
"""

from __future__ import annotations

import re
from typing import Any

from onpace.ingest.propose.profiles import Profile
from onpace.ingest.propose.vocabulary import status_outcome

_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def quoted(name: str) -> str:
    """A source column as it may stand in an expression: quoted unless a plain name."""
    return name if _PLAIN.match(name) else '"' + name.replace('"', '""') + '"'


def constant_within(con: Any, view: str, key: str, column: str) -> bool:
    """True when ``column`` never differs between rows with the same ``key``."""
    k, c = ('"' + n.replace('"', '""') + '"' for n in (key, column))
    row = con.execute(
        f"SELECT count(*) FROM (SELECT {k} FROM {view} WHERE nullif(trim({c}), '') IS NOT NULL "
        f"GROUP BY {k} HAVING count(DISTINCT trim({c})) > 1)"
    ).fetchone()
    return int(row[0]) == 0


def status_map(values: dict[str, int], entity: str) -> dict[str, str]:
    """Every status value of the file mapped to the model's words for ``entity``."""
    out: dict[str, str] = {}
    for value in sorted(values):
        outcome = status_outcome(value)
        if entity == "quotes":
            out[value] = outcome if outcome in ("won", "lost") else "open"
        else:
            out[value] = "cancelled" if outcome in ("cancelled", "lost") else "completed"
    return out


def written_off_map(values: dict[str, int]) -> dict[str, str]:
    from onpace.ingest.propose.vocabulary import read_name

    return {
        v: ("true" if "written_off" in read_name(v).modifiers else "false") for v in sorted(values)
    }


def column_spec(
    p: Profile, kind: str, column: str, entity: str, agg: str | None = None
) -> str | dict[str, Any]:
    """The mapping of entity column ``column`` read from profile ``p``."""
    spec: dict[str, Any] = {"from": p.name}
    if kind == "date" and p.date_format:
        spec["format"] = p.date_format
    if column == "status" and p.values:
        spec["map"] = status_map(p.values, entity)
    if column == "written_off" and p.values and p.share(p.flags) < 0.95:
        spec["map"] = written_off_map(p.values)
    if agg is not None:
        spec["agg"] = agg
    return spec if len(spec) > 1 else p.name


def line_agg(kind: str, constant: bool) -> str | None:
    """How the lines of one group combine for a column of ``kind``."""
    if kind == "date":
        return "min"
    if kind in ("money", "count") and not constant:
        return "sum"
    return None
