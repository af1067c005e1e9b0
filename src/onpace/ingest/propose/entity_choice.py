"""Which entity one export holds: every entity is tried, the best fit is kept, or none.

An entity fits a table when:

- its key is a column named for it whose values are unique (one row per order,
  per customer), or, for entities that come in lines (orders, invoices, quotes,
  returns), a key that repeats in a table with quantities, prices or products;
  a list of customers or reps must have a unique key (order lines carry a customer
  column that repeats: they are not a customer list);
- its required columns are there with the right values (orders are dated and
  have an amount: an employee list has neither, and its birth date is no order date);
- and the table's name, its key's name and how many of its columns the entity
  explains agree.

The score of each part is kept, so the proposal can say why, and a table nothing
fits well is left out with that reason instead of being forced into an entity.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from onpace.ingest.propose.column_roles import EntityRules, Fit, Role, fit, rules
from onpace.ingest.propose.column_specs import column_spec, constant_within, line_agg, quoted
from onpace.ingest.propose.exports import Export
from onpace.ingest.propose.profiles import Profile
from onpace.model.entities import ENTITIES

MIN_COLUMN_SCORE = 0.3
MIN_ENTITY_SCORE = 0.5
_LINE_ENTITIES = ("orders", "invoices", "quotes", "returns")
_PAYMENT_COLUMNS = {"due_at", "paid_amount", "paid_at", "written_off"}


@dataclass
class Choice:
    """One entity column proposed: its mapping, how sure, and why."""

    column: str
    spec: str | dict[str, Any]
    score: float
    reason: str
    source: str | None = None


@dataclass
class Candidate:
    """An entity tried on a table, with the columns it would take and its score."""

    entity: str
    score: float
    key: str | None
    lines: bool
    choices: dict[str, Choice] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    reason: str = ""


@dataclass
class Table:
    """An export with the profiles of its columns and the connection that holds it."""

    export: Export
    profiles: list[Profile]
    con: Any

    def profile(self, name: str) -> Profile:
        return next(p for p in self.profiles if p.name == name)

    @property
    def filled(self) -> list[Profile]:
        return [p for p in self.profiles if p.filled]


def required(entity: str) -> list[str]:
    """The entity's required columns besides its key (``scale`` has a default)."""
    ent = ENTITIES[entity]
    return [c for c in ent.required_columns if c not in (ent.key, "scale")]


def line_signals(table: Table) -> bool:
    """Quantities, prices or products: the rows are lines of something."""
    for p in table.filled:
        c = p.concepts
        if {"quantity", "price"} & set(c.attributes) or {"product", "line"} & set(c.subjects):
            return True
    return False


# -- the key ----------------------------------------------------------------------


@dataclass(frozen=True)
class KeyPick:
    column: str
    score: float
    lines: bool
    reason: str


def _generic_key(table: Table) -> KeyPick | None:
    """A unique id column whose name names no subject: "ID", "Record ID", "Nr."."""
    for i, p in enumerate(table.filled):
        c = p.concepts
        if not (p.unique and p.id_like) or c.subjects:
            continue
        if c.attributes == ("id",):
            return KeyPick(p.name, 0.6, False, f"{p.name!r} is unique, named as an id")
        if c.attributes == ("row",) or (p.row_number and not c.attributes):
            return KeyPick(p.name, 0.3, False, f"{p.name!r} numbers the rows")
        if i == 0 and c.empty:
            return KeyPick(p.name, 0.45, False, f"the first column {p.name!r} is unique")
    return None


def pick_key(table: Table, rules_: EntityRules) -> KeyPick | None:
    """The entity's key in ``table``: unique, or repeating on lines; None when absent."""
    role = rules_.roles[ENTITIES[rules_.name].key]
    fits = sorted(
        (f for p in table.filled if (f := fit(p, role)) is not None), key=lambda f: -f.score
    )
    lines_ok = rules_.lines and line_signals(table)
    for f in fits:
        p = f.profile
        if p.unique:
            return KeyPick(p.name, f.score, False, f"{p.name!r} is unique on {p.rows:,} rows")
        if lines_ok and p.fill >= 0.95 and p.distinct < p.filled:
            per = p.filled / max(p.distinct, 1)
            return KeyPick(
                p.name, f.score * 0.95, True, f"{p.name!r} repeats on {per:.1f} lines each"
            )
    if rules_.dimension and fits:
        return None
    if lines_ok and _named_table(table, rules_):
        numbered = _numbered_lines_key(table)
        if numbered is not None:
            return numbered
    return _generic_key(table)


def _named_table(table: Table, rules_: EntityRules) -> bool:
    return bool(set(rules_.names) & set(table.export.concepts.subjects))


def _numbered_lines_key(table: Table) -> KeyPick | None:
    """Lines whose order number sits in a column with a generic name ("Name": #1001)."""
    for p in table.filled:
        c = p.concepts
        if c.subjects or not set(c.attributes) <= {"id", "name"} or not c.attributes:
            continue
        if p.codes_only and p.fill >= 0.95 and p.distinct < p.filled:
            per = p.filled / max(p.distinct, 1)
            why = f"{p.name!r} holds document numbers ({p.examples[0]}) on {per:.1f} lines each"
            return KeyPick(p.name, 0.6, True, why)
    return None


# -- the other columns -----------------------------------------------------------


def _fee_context(table: Table) -> bool:
    """A fee column and no tax column: "net" means after the provider's fees, not tax."""
    mods = {m for p in table.filled if p.is_number for m in p.concepts.modifiers}
    return "fee" in mods and "tax" not in mods


def _amount_factor(table: Table, p: Profile, role: Role) -> float:
    if role.kind != "money" or role.column != "amount" or not _fee_context(table):
        return 1.0
    mods = set(p.concepts.modifiers)
    if "net" in mods:
        return 0.5
    if "gross" in mods:
        return 1.6  # undoes the weak "gross": the customer paid it
    return 1.0


def _cardinality(p: Profile, role: Role) -> float:
    """Values that cannot be this role: a rep column has few values, not one per row."""
    if role.column == "rep_id" and p.filled > 20 and p.distinct > max(25, 0.5 * p.filled):
        return 0.0
    if role.kind == "label" and role.column not in ("name", "campaign", "reason"):
        return 1.0 if p.values is not None else 0.3
    return 1.0


def _fits(table: Table, rules_: EntityRules, key: str | None) -> list[tuple[float, bool, Fit]]:
    needed = set(required(rules_.name))
    out = []
    for column, role in rules_.roles.items():
        if role.kind == "key":
            continue
        for p in table.filled:
            if p.name == key:
                continue
            f = fit(p, role)
            if f is None:
                continue
            score = min(1.0, f.score * _cardinality(p, role) * _amount_factor(table, p, role))
            if score >= MIN_COLUMN_SCORE:
                out.append((score, column in needed, f))
    # required columns first: a leads file's only date is its created_at, not its first contact
    out.sort(key=lambda t: (not t[1], -t[0], t[2].role.column))
    return out


def assign(table: Table, rules_: EntityRules, key: str | None) -> dict[str, Fit]:
    """Entity column -> the column that fits it best; each column used once."""
    chosen: dict[str, Fit] = {}
    used: set[str] = set()
    for _, _, f in _fits(table, rules_, key):
        if f.role.column in chosen or f.profile.name in used:
            continue
        chosen[f.role.column] = f
        used.add(f.profile.name)
    return chosen


def _first(table: Table, used: set[str], test: Any) -> Profile | None:
    return next((p for p in table.filled if p.name not in used and test(p)), None)


def computed_amount(table: Table, fits: dict[str, Fit], key: str | None) -> tuple[str, str] | None:
    """``quantity * price`` (less a discount fraction) when no amount column is named."""
    used = {f.profile.name for f in fits.values()} | {key or ""}
    qty = fits["quantity"].profile if "quantity" in fits else None
    qty = qty or _first(table, used, lambda p: "quantity" in p.concepts.attributes and p.is_number)
    price = _first(
        table,
        used,
        lambda p: (
            "price" in p.concepts.attributes and p.is_number and "cost" not in p.concepts.modifiers
        ),
    )
    if qty is None or price is None:
        return None
    expr = f"{quoted(qty.name)} * {quoted(price.name)}"
    discount = _first(
        table,
        used | {price.name},
        lambda p: (
            "discount" in p.concepts.modifiers
            and p.is_number
            and p.num_max is not None
            and p.num_max <= 1
        ),
    )
    if discount is not None:
        expr = f"{expr} * (1 - coalesce({quoted(discount.name)}, 0))"
    return expr, f"{qty.name} x {price.name}" + (f" less {discount.name}" if discount else "")


def _profit(table: Table, used: set[str]) -> Profile | None:
    return _first(table, used, lambda p: "profit" in p.concepts.modifiers and p.is_number)


# -- one entity on one table -----------------------------------------------------


def _choices(
    table: Table, entity: str, fits: dict[str, Fit], pick: KeyPick | None
) -> dict[str, Choice]:
    out: dict[str, Choice] = {}
    if pick is not None:
        key_col = ENTITIES[entity].key
        out[key_col] = Choice(key_col, pick.column, pick.score, pick.reason, pick.column)
    needed = required(entity)
    for column, f in fits.items():
        agg = None
        first_line_only = False
        if pick is not None and pick.lines:
            constant = constant_within(table.con, table.export.view, pick.column, f.profile.name)
            agg = line_agg(f.role.kind, constant)
            # an order total written on the first line only: the other lines are empty
            first_line_only = constant and f.profile.fill < 1 and column in needed
        spec = column_spec(f.profile, f.role.kind, column, entity, agg)
        reason = f.reason
        if first_line_only:
            spec = {**(spec if isinstance(spec, dict) else {"from": spec}), "allow_missing": True}
            reason += "; given once per order, on its first line"
        out[column] = Choice(column, spec, f.score, reason, f.profile.name)
    return out


def _add_computed(
    table: Table,
    entity: str,
    choices: dict[str, Choice],
    fits: dict[str, Fit],
    pick: KeyPick | None,
) -> None:
    """Amounts from quantity x price, and cost from amount less profit."""
    lines = pick is not None and pick.lines
    key = pick.column if pick else None
    if entity == "satisfaction" and "scale" not in choices and "score" in fits:
        choices["scale"] = _scale(fits["score"].profile)
    if "amount" in ENTITIES[entity].column_names and "amount" not in choices:
        computed = computed_amount(table, fits, key)
        if computed is not None:
            expr, what = computed
            spec: dict[str, Any] = {"expr": expr, **({"agg": "sum"} if lines else {})}
            choices["amount"] = Choice("amount", spec, 0.8, f"computed as {what}")
    if entity != "orders" or "cost" in choices or "amount" not in choices:
        return
    used = {c.source for c in choices.values() if c.source}
    profit = _profit(table, used)
    if profit is None:
        return
    amount = choices["amount"]
    base = quoted(amount.source) if amount.source else f"({amount.spec['expr']})"  # type: ignore[index]
    spec = {"expr": f"{base} - {quoted(profit.name)}", **({"agg": "sum"} if lines else {})}
    choices["cost"] = Choice("cost", spec, 0.7, f"amount less {profit.name!r}", None)


def _scale(score: Profile) -> Choice:
    """The survey scale from the scores given: up to 5 is a CSAT, up to 10 an NPS question."""
    top = score.num_max if score.num_max is not None else 10.0
    scale = "csat_5" if top <= 5 else "nps_10"
    why = f"scores from {score.num_min:g} to {top:g}" if score.num_min is not None else "scores"
    return Choice("scale", {"default": scale}, 0.7, f"{why}: {scale}", None)


def _named(table: Table, rules_: EntityRules, pick: KeyPick | None) -> float:
    """How plainly the table says it holds the entity: its name, its key, its columns."""
    names = set(rules_.names)
    if names & set(table.export.concepts.subjects):
        return 1.0
    if pick is not None and names & set(table.profile(pick.column).concepts.subjects):
        return 0.9
    if any(p.concepts.head in names for p in table.filled):
        return 0.6  # "Purchase Date", "Order Status": the columns speak of orders
    return 0.0


def _score(
    table: Table, rules_: EntityRules, pick: KeyPick | None, choices: dict[str, Choice]
) -> tuple[float, list[str]]:
    needed = required(rules_.name)
    missing = [c for c in needed if c not in choices]
    req = [choices[c].score if c in choices else 0.0 for c in needed]
    named = _named(table, rules_, pick)
    req_s = sum(req) / len(req) if req else named
    used = {c.source for c in choices.values() if c.source}
    coverage = len(used) / max(len(table.filled), 1)
    key_s = pick.score if pick else 0.0
    filled = len(choices) / len(rules_.roles)  # how much of the entity the table fills
    score = 0.3 * key_s + 0.3 * req_s + 0.15 * named + 0.15 * min(1.0, coverage * 2)
    score += 0.1 * filled
    if missing:
        score *= 0.6
    if named == 0 and pick is not None and pick.score <= 0.6:
        score *= 0.6  # a generic "ID" and nothing that names the entity: do not guess
    if rules_.name == "invoices" and not set(choices) & _PAYMENT_COLUMNS:
        score *= 0.75  # no due dates or payments: an invoice list read as sales (orders)
    return score, missing


def candidate(table: Table, entity: str) -> Candidate | None:
    """``entity`` tried on ``table``: None when it has no key for it."""
    rules_ = rules()[0][entity]
    pick = pick_key(table, rules_)
    if pick is None:
        return None
    fits = assign(table, rules_, pick.column)
    choices = _choices(table, entity, fits, pick)
    _add_computed(table, entity, choices, fits, pick)
    score, missing = _score(table, rules_, pick, choices)
    return Candidate(entity, score, pick.column, pick.lines, choices, missing, pick.reason)


def candidates(table: Table) -> list[Candidate]:
    """Every entity that has a key in ``table``, best first."""
    found = [c for e in rules()[0] if (c := candidate(table, e)) is not None]
    return sorted(found, key=lambda c: -c.score)
