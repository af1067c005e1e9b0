"""Users, roles, API tokens, browser sessions and the audit log of the web app.

>>> auth = Auth(store.engine)                                   # doctest: +SKIP
>>> auth.add_user("ann", "manager", password="...", actor="cli")  # doctest: +SKIP
"""

from onpace.auth.roles import ROLES, Permission, Role, allowed
from onpace.auth.service import Auth, Identity, NewToken
from onpace.errors import AuthError

__all__ = ["ROLES", "Auth", "AuthError", "Identity", "NewToken", "Permission", "Role", "allowed"]
