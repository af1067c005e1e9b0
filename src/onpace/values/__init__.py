"""The KPI value store: every KPI at every grain and breakdown, computed ahead, kept current.

Dashboards, CLI reads, alerts and reports ask for the same numbers again and again;
computing them from the orders each time costs seconds. So every KPI is stored for
every grain (day, week, month, quarter, year; quarters and years follow the fiscal
calendar) overall and by every dimension it allows, from the start of the data to
the period in progress, next to the data (DuckDB tables in the embedded warehouse,
tables of the backend anywhere else), stamped with the data version and the as-of
moment it was computed for.

- :mod:`.cells`: the tables (cells and their meta) and how they are written;
- :mod:`.reader`: answering a compute request from cells, exactly as computing would;
- :mod:`.changes`: change sets (which rows are new, replaced or removed);
- :mod:`.dirty`: which days a change set can move;
- :mod:`.refresh`: full builds and incremental refreshes;
- :mod:`.keys`: what stored values depend on, as hashes.

Stored values answer a request when they hold it: the same definitions and data,
a stored grain, at most one dimension, and an as-of moment from the store's own to
the end of that day. Within that day values are *as of the refresh*: a customer whose
churn window ends in the afternoon counts as lost after the next refresh (each
ingest refreshes; the server refreshes when a new day begins; ``onpace refresh``
does it by hand). Everything else is computed from the data, as before.
"""
