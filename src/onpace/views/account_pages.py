"""The admin screens' data: users and API tokens, for the pages, their JSON and CSV.

Never a secret: passwords and tokens are stored as hashes, and a new token is
shown once, by the page that made it, not by these listings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from onpace.auth.roles import ROLES

if TYPE_CHECKING:
    from onpace.auth import Auth


def users_view(auth: Auth) -> dict[str, Any]:
    """Every user with role, rep id and whether they may log in, and the roles to pick."""
    return {
        "title": "Users",
        "table": auth.users(),
        "columns": ["name", "role", "rep_id", "active"],
        "roles": list(ROLES),
    }


def tokens_view(auth: Auth) -> dict[str, Any]:
    """Every API token (id, user, label, created, revoked) and the users to make one for."""
    return {
        "title": "API tokens",
        "table": auth.tokens(),
        "columns": ["id", "user", "label", "created_at", "revoked"],
        "users": [u["name"] for u in auth.users() if u["active"]],
    }
