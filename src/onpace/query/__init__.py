"""The query engine: plan KPIs into grouped scans, build Ibis expressions, run, assemble values.

The stages, in the order a number travels: :mod:`.plan` (KPIs to measures and
queries), :mod:`.build` and :mod:`.spells` (Ibis expressions), :mod:`.warehouse`
(where they run), :mod:`.assemble` (spine, ratios, derived formulas) and
:mod:`.session` (one entry point per compute request).
"""
