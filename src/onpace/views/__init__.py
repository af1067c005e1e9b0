"""One data function per screen, used by the CLI, the web pages and the REST API alike.

Each returns plain, JSON-ready data (and a ``table`` for CSV downloads), takes the
viewer's :class:`~onpace.views.scope.Scope` wherever rows can belong to a rep, and
knows nothing of HTTP or terminals: that keeps every surface on the same numbers.
"""
