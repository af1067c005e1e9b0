"""The semantic rules a KPI definition must pass, one module per rule, run in this order.

The loader has already checked each KPI's shape (types, required keys, unknown
keys); these rules check what a shape cannot: that the names exist in the sales data
model, that the kinds fit, that derived KPIs fit together. Each rule is a function
of a :class:`RuleContext` yielding issues; none stops at the first problem.

1. :mod:`~onpace.spec.rules.entity_names`: entities exist
2. :mod:`~onpace.spec.rules.aggregations`: an aggregation has a column or an expression
3. :mod:`~onpace.spec.rules.columns`: columns exist and have a fitting kind
4. :mod:`~onpace.spec.rules.expressions`: filters and expressions are allowed
5. :mod:`~onpace.spec.rules.dimensions`: dimensions are reachable
6. :mod:`~onpace.spec.rules.units`: a duration is in days
7. :mod:`~onpace.spec.rules.multipliers`: ratio multipliers make sense
8. :mod:`~onpace.spec.rules.derived_formulas`: formulas name existing KPIs
9. :mod:`~onpace.spec.rules.derived_dimensions`: derived breakdowns exist on every input
10. :mod:`~onpace.spec.rules.derived_loops`: no loops of derived KPIs
"""

from __future__ import annotations

from onpace.spec.rules.aggregations import aggregated_values
from onpace.spec.rules.base import Rule, RuleContext
from onpace.spec.rules.columns import known_columns
from onpace.spec.rules.derived_dimensions import shared_dimensions
from onpace.spec.rules.derived_formulas import known_references
from onpace.spec.rules.derived_loops import no_loops
from onpace.spec.rules.dimensions import reachable_dimensions
from onpace.spec.rules.entity_names import known_entities
from onpace.spec.rules.expressions import allowed_expressions
from onpace.spec.rules.multipliers import sensible_multipliers
from onpace.spec.rules.units import fitting_units

RULES: tuple[Rule, ...] = (
    known_entities,
    aggregated_values,
    known_columns,
    allowed_expressions,
    reachable_dimensions,
    fitting_units,
    sensible_multipliers,
    known_references,
    shared_dimensions,
    no_loops,
)

__all__ = ["RULES", "Rule", "RuleContext"]
