"""The four roles and what each may do, in one table so pages, API and tests agree.

- ``admin``: everything, including the audit log, managing users and tokens, and
  editing the objectives (objectives.yml).
- ``manager``: reads everything, sets and revises targets.
- ``rep``: reads the scorecard, KPIs, objectives and targets; in per-rep views
  only their own rows (enforced by :class:`onpace.views.scope.Scope` in the data layer).
- ``viewer``: reads everything but the audit log; writes nothing.
"""

from __future__ import annotations

from typing import Literal

Role = Literal["admin", "manager", "rep", "viewer"]
ROLES: tuple[Role, ...] = ("admin", "manager", "rep", "viewer")

Permission = Literal[
    "read", "read_data_quality", "write_targets", "audit", "manage_users", "manage_objectives"
]

GRANTS: dict[Role, frozenset[Permission]] = {
    "admin": frozenset(
        {"read", "read_data_quality", "write_targets", "audit", "manage_users", "manage_objectives"}
    ),
    "manager": frozenset({"read", "read_data_quality", "write_targets"}),
    "rep": frozenset({"read"}),
    "viewer": frozenset({"read", "read_data_quality"}),
}


def allowed(role: str, permission: Permission) -> bool:
    """Whether ``role`` holds ``permission``; an unknown role holds nothing."""
    return permission in GRANTS.get(role, frozenset())  # type: ignore[call-overload]
