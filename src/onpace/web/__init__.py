"""HTTP only: the dashboard pages, the REST API, login glue, templates and static assets."""
