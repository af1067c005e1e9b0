"""The sales data model: one table per entity, with typed columns, keys and relations.

Every KPI reads one or more of these entities. The model is the contract between
the data a business loads (its own exports, mapped onto these names) and the KPI
definitions: a KPI may only name columns declared here, and a workspace that lacks
a table or column a KPI needs is told which one, by name.

Column kinds are deliberately few. ``timestamp`` columns hold local wall-clock
time in the workspace's time zone (see :mod:`onpace.query.warehouse` for how
time-zone-aware input is converted on load), ``money`` columns are exact
decimals, and ``date`` columns carry no time of day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ColumnKind = Literal["id", "string", "timestamp", "date", "money", "number", "integer", "boolean"]

# The Ibis type each column kind is stored as.
IBIS_TYPES: dict[str, str] = {
    "id": "string",
    "string": "string",
    "timestamp": "timestamp",
    "date": "date",
    "money": "decimal(18, 2)",
    "number": "float64",
    "integer": "int64",
    "boolean": "boolean",
}


@dataclass(frozen=True)
class Column:
    """One column of an entity: its kind, whether every row must have it, and what it means."""

    name: str
    kind: ColumnKind
    required: bool = False
    doc: str = ""


@dataclass(frozen=True)
class Relation:
    """A many-to-one link: ``column`` of this entity points at the key of ``target``.

    ``name`` is how KPI specs reach through it: dimension ``rep.team`` on orders
    follows relation ``rep`` (orders.rep_id -> salespeople.rep_id) and reads ``team``.
    """

    name: str
    column: str
    target: str


@dataclass(frozen=True)
class Entity:
    """A table of the sales data model."""

    name: str
    key: str
    doc: str
    columns: tuple[Column, ...]
    relations: tuple[Relation, ...] = ()
    dimensions: tuple[str, ...] = field(default=())
    derived: bool = False

    def column(self, name: str) -> Column | None:
        """The column called ``name``, or None."""
        for col in self.columns:
            if col.name == name:
                return col
        return None

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def relation(self, name: str) -> Relation | None:
        """The relation called ``name``, or None."""
        for rel in self.relations:
            if rel.name == name:
                return rel
        return None


def _c(name: str, kind: ColumnKind, doc: str = "", required: bool = False) -> Column:
    return Column(name=name, kind=kind, required=required, doc=doc)


CUSTOMERS = Entity(
    name="customers",
    key="customer_id",
    doc="A customer (or prospect that became one).",
    columns=(
        _c("customer_id", "id", "Unique customer identifier.", required=True),
        _c("first_seen_at", "timestamp", "When the customer was first known."),
        _c("name", "string", "Display name."),
        _c("segment", "string", "Customer segment, e.g. enterprise, smb, consumer."),
        _c("region", "string", "Sales region of the customer."),
        _c("country", "string", "Country of the customer."),
        _c("is_target_audience", "boolean", "True when the customer is in the target segment."),
        _c("churned_at", "timestamp", "Explicit end of the relationship (contract end)."),
    ),
    dimensions=("segment", "region", "country", "is_target_audience"),
)

SALESPEOPLE = Entity(
    name="salespeople",
    key="rep_id",
    doc="A sales representative.",
    columns=(
        _c("rep_id", "id", "Unique rep identifier.", required=True),
        _c("name", "string", "Full name."),
        _c("team", "string", "Team the rep belongs to."),
        _c("region", "string", "Region the rep covers."),
        _c("manager", "string", "The rep's manager."),
        _c("hired_at", "date", "First day of employment."),
        _c("left_at", "date", "Last day of employment, if they left."),
    ),
    dimensions=("name", "team", "region", "manager"),
)

ORDERS = Entity(
    name="orders",
    key="order_id",
    doc="A sale: one order (not one order line).",
    columns=(
        _c("order_id", "id", "Unique order identifier.", required=True),
        _c("ordered_at", "timestamp", "When the order was placed.", required=True),
        _c("amount", "money", "Net sales amount of the order, excluding tax.", required=True),
        _c("customer_id", "id", "The buying customer (null for guest checkouts)."),
        _c("rep_id", "id", "The salesperson credited with the sale."),
        _c("channel", "string", "Sales channel: web, store, sales, ..."),
        _c("cost", "money", "Cost of goods sold for the order."),
        _c("quantity", "integer", "Units sold."),
        _c("currency", "string", "ISO currency code."),
        _c("status", "string", "completed or cancelled."),
        _c("campaign", "string", "Marketing campaign credited with the order."),
    ),
    relations=(
        Relation("customer", "customer_id", "customers"),
        Relation("rep", "rep_id", "salespeople"),
    ),
    dimensions=("channel", "status", "currency", "campaign"),
)

QUOTES = Entity(
    name="quotes",
    key="quote_id",
    doc="A quote (budget, proposal) sent to a prospect or customer.",
    columns=(
        _c("quote_id", "id", "Unique quote identifier.", required=True),
        _c("submitted_at", "timestamp", "When the quote was sent.", required=True),
        _c("status", "string", "open, won or lost.", required=True),
        _c("decided_at", "timestamp", "When it was won or lost (null while open)."),
        _c("customer_id", "id", "The customer or prospect."),
        _c("rep_id", "id", "The salesperson who sent it."),
        _c("amount", "money", "Quoted amount."),
        _c("order_id", "id", "The order a won quote became."),
    ),
    relations=(
        Relation("customer", "customer_id", "customers"),
        Relation("rep", "rep_id", "salespeople"),
    ),
    dimensions=("status",),
)

LEADS = Entity(
    name="leads",
    key="lead_id",
    doc="An inbound request for price or information: a call, form, chat or e-mail.",
    columns=(
        _c("lead_id", "id", "Unique lead identifier.", required=True),
        _c("created_at", "timestamp", "When the request came in.", required=True),
        _c("source", "string", "call, form, chat, email, ad, referral, ..."),
        _c("campaign", "string", "Campaign that generated the request."),
        _c("first_contact_at", "timestamp", "First contact by a salesperson."),
        _c("customer_id", "id", "The (prospective) customer."),
        _c("rep_id", "id", "Salesperson who handled it."),
        _c("converted_at", "timestamp", "When the lead turned into a sale."),
    ),
    relations=(
        Relation("customer", "customer_id", "customers"),
        Relation("rep", "rep_id", "salespeople"),
    ),
    dimensions=("source", "campaign"),
)

WEB_SESSIONS = Entity(
    name="web_sessions",
    key="session_id",
    doc="A visit to the website.",
    columns=(
        _c("session_id", "id", "Unique session identifier.", required=True),
        _c("started_at", "timestamp", "Start of the visit.", required=True),
        _c("visitor_id", "id", "Anonymous visitor identifier."),
        _c("customer_id", "id", "Logged-in customer, if known."),
        _c("source", "string", "Traffic source: google, newsletter, direct, ..."),
        _c("medium", "string", "Traffic medium: cpc, organic, email, referral, none."),
        _c("campaign", "string", "Ad campaign, if any."),
        _c("is_paid", "boolean", "True when the visit came from a paid ad."),
    ),
    relations=(Relation("customer", "customer_id", "customers"),),
    dimensions=("source", "medium", "campaign", "is_paid"),
)

CARTS = Entity(
    name="carts",
    key="cart_id",
    doc="A shopping cart; one without an order was abandoned.",
    columns=(
        _c("cart_id", "id", "Unique cart identifier.", required=True),
        _c("created_at", "timestamp", "When the first item was added.", required=True),
        _c("session_id", "id", "Web session the cart started in."),
        _c("customer_id", "id", "Customer, if known."),
        _c("value", "money", "Value of the items in the cart."),
        _c("order_id", "id", "The order it became; null means abandoned."),
    ),
    relations=(Relation("customer", "customer_id", "customers"),),
)

RETURNS = Entity(
    name="returns",
    key="return_id",
    doc="A return or an exchange of (part of) an order.",
    columns=(
        _c("return_id", "id", "Unique return identifier.", required=True),
        _c("returned_at", "timestamp", "When the goods came back.", required=True),
        _c("order_id", "id", "The order returned from."),
        _c("kind", "string", "return or exchange."),
        _c("amount", "money", "Refunded amount (0 for an exchange)."),
        _c("quantity", "integer", "Units returned."),
        _c("reason", "string", "Reason given."),
    ),
    relations=(Relation("order", "order_id", "orders"),),
    dimensions=("kind", "reason"),
)

COMPLAINTS = Entity(
    name="complaints",
    key="complaint_id",
    doc="A customer complaint.",
    columns=(
        _c("complaint_id", "id", "Unique complaint identifier.", required=True),
        _c("opened_at", "timestamp", "When the complaint was received.", required=True),
        _c("customer_id", "id", "Complaining customer."),
        _c("order_id", "id", "Order it is about, if any."),
        _c("category", "string", "delivery, quality, billing, service, ..."),
        _c("resolved_at", "timestamp", "When it was resolved."),
    ),
    relations=(
        Relation("customer", "customer_id", "customers"),
        Relation("order", "order_id", "orders"),
    ),
    dimensions=("category",),
)

INVOICES = Entity(
    name="invoices",
    key="invoice_id",
    doc="An invoice sent to a customer.",
    columns=(
        _c("invoice_id", "id", "Unique invoice identifier.", required=True),
        _c("issued_at", "timestamp", "Invoice date.", required=True),
        _c("amount", "money", "Invoiced amount.", required=True),
        _c("due_at", "timestamp", "Payment due date."),
        _c("order_id", "id", "The order invoiced."),
        _c("customer_id", "id", "The invoiced customer."),
        _c("paid_amount", "money", "Amount paid so far."),
        _c("paid_at", "timestamp", "When it was paid in full."),
        _c("written_off", "boolean", "True when written off as bad debt."),
    ),
    relations=(
        Relation("customer", "customer_id", "customers"),
        Relation("order", "order_id", "orders"),
    ),
)

SATISFACTION = Entity(
    name="satisfaction",
    key="response_id",
    doc="An answer to a satisfaction survey.",
    columns=(
        _c("response_id", "id", "Unique response identifier.", required=True),
        _c("responded_at", "timestamp", "When the answer was given.", required=True),
        _c("score", "number", "The score given.", required=True),
        _c("scale", "string", "csat_5 (1-5) or nps_10 (0-10).", required=True),
        _c("customer_id", "id", "Responding customer."),
        _c("order_id", "id", "Order the survey was about."),
    ),
    relations=(Relation("customer", "customer_id", "customers"),),
    dimensions=("scale",),
)

COSTS = Entity(
    name="costs",
    key="cost_id",
    doc="An operating cost line (salaries, rent, marketing, ...).",
    columns=(
        _c("cost_id", "id", "Unique cost line identifier.", required=True),
        _c("incurred_on", "date", "Date the cost belongs to.", required=True),
        _c("amount", "money", "Cost amount.", required=True),
        _c("category", "string", "marketing, salaries, rent, logistics, ..."),
    ),
    dimensions=("category",),
)

CUSTOMER_SPELLS = Entity(
    name="customer_spells",
    key="spell_id",
    doc=(
        "Derived, not loaded: one row per uninterrupted period in which a customer was "
        "active. A spell starts with an order after no order for the churn window (or the "
        "customer's first order) and ends, lost, when the churn window passes without an "
        "order, or at the customer's explicit churned_at."
    ),
    columns=(
        _c("spell_id", "id", "customer_id and spell number.", required=True),
        _c("customer_id", "id", "The customer.", required=True),
        _c("spell_number", "integer", "1 for the first spell (a new customer), 2+ when won back."),
        _c("started_at", "timestamp", "First order of the spell: the customer was won."),
        _c("last_order_at", "timestamp", "Last order of the spell."),
        _c("lost_at", "timestamp", "When the customer counts as lost (null while active)."),
        _c("orders", "integer", "Orders in the spell."),
        _c("segment", "string", "From customers."),
        _c("region", "string", "From customers."),
        _c("country", "string", "From customers."),
        _c("is_target_audience", "boolean", "From customers."),
    ),
    relations=(Relation("customer", "customer_id", "customers"),),
    dimensions=("segment", "region", "country", "is_target_audience"),
    derived=True,
)

ENTITIES: dict[str, Entity] = {
    e.name: e
    for e in (
        CUSTOMERS,
        SALESPEOPLE,
        ORDERS,
        QUOTES,
        LEADS,
        WEB_SESSIONS,
        CARTS,
        RETURNS,
        COMPLAINTS,
        INVOICES,
        SATISFACTION,
        COSTS,
        CUSTOMER_SPELLS,
    )
}

LOADED_ENTITIES: tuple[str, ...] = tuple(n for n, e in ENTITIES.items() if not e.derived)


def get_entity(name: str) -> Entity | None:
    """The entity called ``name``, or None."""
    return ENTITIES.get(name)
