"""Who an alert or a digest reaches: users of the web app and people of alerts.yml.

A recipient's role and rep id come from their login (or, for people without one,
from ``people:`` in alerts.yml), their address and language from ``people:``.
The role and rep id give the :class:`~onpace.views.scope.Scope` that decides,
as in the web app, which numbers they may receive.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from onpace.alerts.rules import AlertsFile, Rule
from onpace.auth import Identity
from onpace.views.scope import DEFAULT_MIN_GROUP, Scope

if TYPE_CHECKING:
    from onpace.workspace import Workspace


@dataclass(frozen=True)
class Recipient:
    name: str
    role: str
    rep_id: str | None
    email: str | None
    language: str

    def scope(self, min_group: int = DEFAULT_MIN_GROUP) -> Scope:
        return Scope.of(Identity(0, self.name, self.role, self.rep_id, "alert"), min_group)


def directory(ws: Workspace, settings: AlertsFile) -> dict[str, Recipient]:
    """Everyone who can receive something, by name (active users and ``people:``)."""
    from onpace.auth import Auth

    out: dict[str, Recipient] = {}
    for user in Auth(ws.store.engine).users():
        if not user["active"]:
            continue
        person = settings.people.get(user["name"])
        out[user["name"]] = Recipient(
            user["name"],
            user["role"],
            user["rep_id"],
            person.email if person else None,
            person.language if person else "en",
        )
    for name, person in settings.people.items():
        if name not in out:
            out[name] = Recipient(
                name, person.role or "viewer", person.rep, person.email, person.language
            )
    return out


def rule_recipients(
    ws: Workspace, rule: Rule, people: dict[str, Recipient], kpi: str | None
) -> list[Recipient]:
    """The people ``rule`` names for an alert about ``kpi``, each once, in a stable order."""
    wanted: list[Recipient] = [people[n] for n in rule.recipients.users if n in people]
    roles = set(rule.recipients.roles)
    wanted += [p for p in people.values() if p.role in roles]
    if rule.recipients.owner and kpi is not None:
        owner = ws.kpis[kpi].owner
        if owner and owner in people:
            wanted.append(people[owner])
    return _unique(wanted)


def _unique(people: Iterable[Recipient]) -> list[Recipient]:
    seen: dict[str, Recipient] = {}
    for p in people:
        seen.setdefault(p.name, p)
    return list(seen.values())
