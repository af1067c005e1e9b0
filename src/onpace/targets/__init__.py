"""Targets and everything held against them.

:mod:`.definition` (targets, periods, phasing), :mod:`.authoring` (from the CLI,
the web form or a YAML file), :mod:`.actuals` (the KPI's values in a target's
period), :mod:`.pace`, :mod:`.forecast` and :mod:`.backtest` (projection and its
accuracy), :mod:`.evaluation` (one target as of a moment) and :mod:`.smart` (the
SMART check).
"""
