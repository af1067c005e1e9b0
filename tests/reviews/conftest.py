"""Reviews are stored in the state store: the same SQLite and PostgreSQL fixtures as tests/store."""

from tests.store.conftest import store, store_url_param  # noqa: F401
