"""A deterministic simulator of a multichannel retailer's sales data.

Why a simulator and not a fixture file: onpace's KPIs, targets and on-pace projections
only show what they are for on data that has the shapes real sales data has (growth,
Q4 peaks, weekday patterns, customers who arrive, come back and leave, quotes that take
weeks to decide, returns that land in the following month). A fixed CSV is either
too small to show those shapes or too big to ship; a seeded simulator is neither, and
the same :class:`DemoSpec` always produces byte-identical tables, so demos, docs and
tests can quote numbers from it.

The business simulated has three channels: a web shop (``web``), physical stores
(``store``) and a B2B sales department (``sales``) that works with quotes and invoices.
The data is generated one calendar month at a time with vectorised numpy and appended
to DuckDB through Arrow, so memory stays bounded by one month of data plus a few
arrays per customer, whatever the size of the spec.

Generation order matters for realism and is the reason for the structure below:
customers and salespeople are drawn first for the whole range (a customer's first
order time, lead and first contact must be known before the month in which the lead
or the first order falls), then each month draws its orders and everything that hangs
off an order (session, cart, quote, invoice, return, complaint, survey) in the same
pass. Events that would fall on or after ``spec.end`` are dropped (returns, surveys,
complaints) or left open (payments, resolutions, quote decisions), as in a real
extract taken on the end date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from onpace.model.entities import ENTITIES, LOADED_ENTITIES

__all__ = ["DUCKDB_TYPES", "DemoSpec", "write_demo_data"]

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]

# The DuckDB type each column kind of the model is stored as (mirrors IBIS_TYPES).
DUCKDB_TYPES: dict[str, str] = {
    "id": "VARCHAR",
    "string": "VARCHAR",
    "timestamp": "TIMESTAMP",
    "date": "DATE",
    "money": "DECIMAL(18,2)",
    "number": "DOUBLE",
    "integer": "BIGINT",
    "boolean": "BOOLEAN",
}

DAY = 86_400
WEEK = 7 * DAY
HOUR = 3_600
_EPOCH = dt.date(1970, 1, 1)
_AVG_MONTH_DAYS = 30.44
_BATCH_ROWS = 122_880  # DuckDB's row group size

# ---------------------------------------------------------------------------------
# Business parameters. They are module constants (not DemoSpec fields) on purpose: the
# spec says how much data and which period, the business it describes stays the same.
# ---------------------------------------------------------------------------------

WEB, STORE, SALES = 0, 1, 2
CHANNELS = ("web", "store", "sales")
CHANNEL_SHARE = np.array([0.50, 0.38, 0.12])  # share of orders
CHANNEL_GROWTH = np.array([0.13, 0.05, 0.10])  # yearly order growth, about 10% overall
SEASON = np.array(
    [  # Jan .. Dec
        [0.92, 0.82, 0.92, 0.92, 0.95, 0.90, 0.92, 0.88, 0.95, 1.02, 1.40, 1.55],  # web
        [0.85, 0.82, 0.95, 0.97, 1.00, 0.95, 0.95, 0.95, 0.97, 1.00, 1.20, 1.55],  # store
        [0.85, 0.95, 1.10, 1.00, 1.00, 0.95, 0.80, 0.75, 1.05, 1.10, 1.20, 1.05],  # sales
    ]
)
DAY_OF_WEEK = np.array(
    [  # Mon .. Sun
        [1.05, 1.00, 0.98, 0.98, 0.95, 1.10, 1.25],  # web: busiest on the weekend
        [0.85, 0.85, 0.90, 0.95, 1.15, 1.60, 0.00],  # store: Saturday peak, closed Sunday
        [1.05, 1.10, 1.10, 1.05, 0.85, 0.00, 0.00],  # sales: weekdays only
    ]
)
# Relative activity per hour of the day; row SALES doubles as office hours.
HOURS = np.array(
    [  # hour 0 .. 23
        [2.0, 1.2, 0.7, 0.4, 0.4, 0.6, 1.4, 2.8, 4.2, 5.2, 5.8, 6.2,
         6.8, 6.5, 6.0, 6.0, 6.4, 7.0, 8.0, 9.4, 10.0, 9.0, 6.6, 4.0],
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 4.0, 7.0, 9.0,
         9.5, 8.5, 8.0, 8.5, 9.5, 10.0, 8.5, 4.5, 0.0, 0.0, 0.0, 0.0],
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 4.0, 9.0, 10.0, 10.0,
         6.0, 7.0, 9.5, 9.0, 7.5, 4.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    ]
)  # fmt: skip
# (month, day) -> factor per channel: Christmas and New Year.
HOLIDAYS: dict[tuple[int, int], tuple[float, float, float]] = {
    (12, 24): (0.7, 0.5, 0.0),
    (12, 25): (0.6, 0.0, 0.0),
    (12, 26): (0.9, 0.0, 0.0),
    (12, 27): (1.0, 1.0, 0.4),
    (12, 28): (1.0, 1.0, 0.4),
    (12, 29): (1.0, 1.0, 0.4),
    (12, 30): (1.0, 1.0, 0.4),
    (12, 31): (0.8, 0.6, 0.0),
    (1, 1): (0.8, 0.0, 0.0),
}
# Black Friday (offset 0), the weekend after it and Cyber Monday: (offset, web, store).
BLACK_FRIDAY = ((0, 3.0, 1.8), (1, 1.5, 1.3), (2, 1.4, 1.0), (3, 2.0, 1.0))

SEGMENTS = ("enterprise", "smb", "consumer")
ENTERPRISE, SMB, CONSUMER = 0, 1, 2
SEGMENT_P = np.array([0.07, 0.18, 0.75])
PROSPECT_SEGMENT_P = np.array([0.25, 0.45, 0.30])
# Primary channel by segment (rows) and how often a customer of a primary channel
# (rows) also buys in each channel (columns).
PRIMARY_P = np.array([[0.20, 0.00, 0.80], [0.45, 0.20, 0.35], [0.55, 0.45, 0.00]])
AFFINITY = np.array([[1.0, 0.12, 0.0], [0.20, 1.0, 0.0], [0.08, 0.0, 1.0]])
TARGET_P = np.array([0.90, 0.75, 0.09])
LIFETIME_MONTHS = np.array([40.0, 26.0, 16.0])
REGIONS = ("north", "south", "east", "west")
REGION_P = np.array([0.28, 0.26, 0.22, 0.24])
COUNTRIES = ("DE", "AT", "CH", "NL", "BE")
COUNTRY_P = np.array([0.70, 0.10, 0.08, 0.07, 0.05])
PROSPECT_SHARE = 0.15  # customers who never order
INITIAL_SHARE = 0.30  # customers who already exist when the data starts
GUEST_SHARE = 0.05  # web orders without a customer
EXPLICIT_CHURN_P = 0.12  # B2B customers whose contract end is recorded

AMOUNT_MEDIAN = np.array([62.0, 38.0, 700.0])
AMOUNT_SIGMA = np.array([0.75, 0.70, 0.85])
UNIT_MEDIAN = np.array([28.0, 18.0, 45.0])
MAX_QUANTITY = np.array([60, 60, 5000])
COST_LOW = np.array([0.55, 0.55, 0.60])
COST_HIGH = np.array([0.68, 0.66, 0.70])
CANCEL_P = np.array([0.025, 0.008, 0.02])
SEGMENT_DEAL = np.array([1.8, 0.75, 0.6])
PRICE_INFLATION = 0.025
ARRIVAL_GROWTH = 0.06  # new customers grow a little faster than orders

SESSION_COMBOS = (
    ("google", "cpc", 1),
    ("google", "organic", 0),
    ("bing", "organic", 0),
    ("direct", "none", 0),
    ("newsletter", "email", 3),
    ("facebook", "cpc", 2),
    ("instagram", "cpc", 2),
    ("idealo", "referral", 0),
    ("facebook", "referral", 0),
    ("bing", "cpc", 1),
)  # (source, medium, campaign kind: 0 none, 1 search ads, 2 social ads, 3 newsletter)
SESSION_P = np.array([0.20, 0.28, 0.03, 0.20, 0.08, 0.05, 0.04, 0.05, 0.04, 0.03])
BUYING_SESSION_P = SESSION_P * np.array([1.2, 0.9, 0.9, 1.3, 1.5, 0.8, 0.8, 1.2, 0.6, 1.0])
SESSIONS_PER_WEB_ORDER = 19.0  # plus the session the order was placed in
LOGGED_IN_P = 0.18
RETURNING_VISITOR_P = 0.35
ABANDONED_CARTS_PER_WEB_ORDER = 2.25

SEASONAL_CAMPAIGNS = {
    1: "winter_sale",
    3: "spring",
    4: "spring",
    7: "summer_sale",
    9: "back_to_school",
    11: "black_friday",
    12: "xmas",
}
BRAND, GENERIC, RETARGETING, SOCIAL, NEWSLETTER, B2B_SEARCH, LINKEDIN, FAIR, PAPER, SEASONAL = (
    range(10)
)

LEAD_SOURCES = ("call", "form", "chat", "email", "ad")
CALL, FORM, CHAT, EMAIL, AD = range(5)
LEAD_SOURCE_P = np.array([[0.25, 0.30, 0.10, 0.20, 0.15], [0.05, 0.20, 0.45, 0.30, 0.00]])

QUOTE_STATUSES = ("open", "won", "lost")
RETURN_KINDS = ("return", "exchange")
RETURN_REASONS = (
    "wrong_size",
    "not_as_described",
    "damaged",
    "changed_mind",
    "late_delivery",
    "defective",
)
RETURN_REASON_P = np.array(
    [[0.30, 0.20, 0.12, 0.25, 0.05, 0.08], [0.20, 0.00, 0.15, 0.30, 0.00, 0.35]]
)
RETURN_P = np.array([0.075, 0.02, 0.0])
COMPLAINT_CATEGORIES = ("delivery", "quality", "billing", "service")
COMPLAINT_P = np.array([0.017, 0.008, 0.03])
COMPLAINT_CATEGORY_P = np.array(
    [[0.45, 0.25, 0.10, 0.20], [0.05, 0.45, 0.10, 0.40], [0.30, 0.25, 0.30, 0.15]]
)
SURVEY_P = np.array([0.11, 0.08, 0.12])
SCALES = ("csat_5", "nps_10")
CSAT_P = np.array([[0.03, 0.05, 0.12, 0.38, 0.42], [0.20, 0.25, 0.25, 0.20, 0.10]])
NPS_P = np.array(
    [
        [0.02, 0.01, 0.01, 0.02, 0.02, 0.04, 0.06, 0.12, 0.18, 0.24, 0.28],
        [0.10, 0.08, 0.10, 0.10, 0.10, 0.12, 0.12, 0.10, 0.08, 0.06, 0.04],
    ]
)
COST_CATEGORIES = ("marketing", "salaries", "rent", "logistics")
MARKETING, SALARIES, RENT, LOGISTICS = range(4)

TEAMS = ("Key Accounts", "Mid-Market", "New Business", "Inside Sales")
FIRST_NAMES = (
    "Anna", "Ben", "Clara", "David", "Elena", "Felix", "Greta", "Hannes", "Ida", "Jonas",
    "Katrin", "Lukas", "Marie", "Niklas", "Olga", "Paul", "Rosa", "Simon", "Tanja", "Uwe",
    "Vera", "Wim", "Yasmin", "Zoe", "Amir", "Bianca", "Carlos", "Dana", "Emil", "Fatma",
    "Georg", "Helena", "Ivan", "Julia", "Karim", "Lea", "Moritz", "Nora", "Oskar", "Petra",
)  # fmt: skip
LAST_NAMES = (
    "Becker", "Schmidt", "Fischer", "Weber", "Wagner", "Hoffmann", "Koch", "Richter",
    "Klein", "Wolf", "Neumann", "Schwarz", "Braun", "Zimmermann", "Hartmann", "Krüger",
    "Lange", "Werner", "Peters", "Jansen", "de Vries", "Bakker", "Visser", "Huber",
    "Gruber", "Steiner", "Moser", "Meier", "Keller", "Brunner", "Dubois", "Lambert",
    "Maes", "Jacobs", "Fuchs", "Vogel", "Roth", "Frank", "Berger", "Lehmann",
)  # fmt: skip
COMPANY_SUFFIXES = ("GmbH", "AG", "KG", "Handel GmbH", "Bau GmbH", "Technik AG", "& Co. KG", "BV")


@dataclass(frozen=True)
class DemoSpec:
    """What to simulate: how many orders, which random seed, which period.

    ``orders`` is the approximate number of orders over the whole range; every other
    table scales with it. ``end`` is exclusive. It has a fixed default rather than
    "today" so that the same spec always means the same data; a CLI that wants data up
    to today passes ``end=date.today()`` explicitly.
    """

    orders: int = 60_000
    seed: int = 7
    start: dt.date = dt.date(2023, 1, 1)
    end: dt.date = dt.date(2026, 1, 1)

    def __post_init__(self) -> None:
        if self.orders < 100:
            raise ValueError(f"DemoSpec.orders must be at least 100, got {self.orders}")
        if self.seed < 0:
            raise ValueError(f"DemoSpec.seed must not be negative, got {self.seed}")
        for name in ("start", "end"):
            value = getattr(self, name)
            if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
                raise TypeError(f"DemoSpec.{name} must be a datetime.date, got {value!r}")
        if self.start.year < 1971:
            raise ValueError("DemoSpec.start must be in 1971 or later")
        if (self.end - self.start).days < 28:
            raise ValueError("DemoSpec needs at least 28 days between start and end")


def write_demo_data(con: duckdb.DuckDBPyConnection, spec: DemoSpec) -> dict[str, int]:
    """Create (CREATE OR REPLACE) one table per loaded entity and fill it with demo data.

    Every table of :data:`onpace.model.entities.LOADED_ENTITIES` gets every column of
    its entity, in the declared order, with the DuckDB type of the column's kind, so
    the result is a workspace the KPI engine can read as is. Data is appended one
    month at a time, which keeps memory bounded for large specs. Returns the number of
    rows written per table.
    """
    return _Simulation(con, spec).run()


# ---------------------------------------------------------------------------------
# Small vectorised helpers
# ---------------------------------------------------------------------------------


def _pick(rng: np.random.Generator, cum: F64, n: int) -> I64:
    """Draw ``n`` indices with probabilities given as a cumulative weight array."""
    idx = np.searchsorted(cum, rng.random(n) * cum[-1], side="right")
    return _i64(np.minimum(idx, len(cum) - 1))


def _choice_by_row(rng: np.random.Generator, probs: F64, row: I64) -> I64:
    """Draw one category per element, from the probability row ``probs[row[i]]``.

    Looping over the (few) rows keeps memory linear in the number of elements.
    """
    out = np.zeros(len(row), dtype=np.int64)
    u = rng.random(len(row))
    for r in range(probs.shape[0]):
        sel = row == r
        if sel.any():
            cum = np.cumsum(probs[r])
            out[sel] = np.minimum(
                np.searchsorted(cum, u[sel] * cum[-1], side="right"), len(cum) - 1
            )
    return out


def _lognormal(
    rng: np.random.Generator, median: float, sigma: float, low: float, high: float, n: int
) -> F64:
    """Lognormal durations or sizes around ``median``, clipped to ``[low, high]``."""
    values = np.exp(np.log(median) + sigma * rng.standard_normal(n))
    return np.asarray(np.clip(values, low, high), dtype=np.float64)


def _weekday(secs: I64) -> I64:
    """Day of the week, Monday = 0 (1970-01-01 was a Thursday)."""
    return (secs // DAY + 3) % 7


def _next_workday(secs: I64) -> I64:
    """Move Saturday and Sunday times to the following Monday, same time of day."""
    wd = _weekday(secs)
    return _i64(secs + np.where(wd >= 5, 7 - wd, 0) * DAY)


def _prev_workday(secs: I64) -> I64:
    """Move Saturday and Sunday times to the preceding Friday, same time of day."""
    wd = _weekday(secs)
    return _i64(secs - np.where(wd >= 5, wd - 4, 0) * DAY)


def _i64(x: npt.ArrayLike) -> I64:
    return np.asarray(x, dtype=np.int64)


def _cents(x: F64) -> I64:
    return np.rint(x).astype(np.int64)


# Arrow builders. -1 stands for NULL in id, code and time arrays (all real values are >= 0).


def _a_id(x: I64) -> pa.Array:
    return pa.array(x, type=pa.int64(), mask=x < 0)


def _a_ts(secs: I64) -> pa.Array:
    return pa.array(secs * 1_000_000, type=pa.timestamp("us"), mask=secs < 0)


def _a_cat(codes: I64, labels: tuple[str, ...] | list[str]) -> pa.Array:
    indices = pa.array(codes.astype(np.int32), type=pa.int32(), mask=codes < 0)
    return pa.DictionaryArray.from_arrays(indices, pa.array(list(labels), type=pa.string()))


def _a_money(cents: I64, null: Bools | None = None) -> pa.Array:
    """Exact DECIMAL(18, 2) from integer cents, without a detour through floats."""
    n = len(cents)
    words = np.zeros((n, 2), dtype=np.int64)
    words[:, 0] = cents
    words[:, 1] = np.where(cents < 0, -1, 0)
    validity = None if null is None else pa.array(~null, type=pa.bool_()).buffers()[1]
    return pa.Array.from_buffers(pa.decimal128(18, 2), n, [validity, pa.py_buffer(words)])


def _a_date(days: I64) -> pa.Array:
    return pa.array(days.astype(np.int32), type=pa.date32(), mask=days < 0)


# ---------------------------------------------------------------------------------
# Calendar: day weights per channel and the monthly chunks
# ---------------------------------------------------------------------------------


class _Calendar:
    """Day-by-day demand per channel and the month chunks the data is generated in.

    One weight per channel and day carries trend, month seasonality, weekday pattern,
    holidays and Black Friday; order times, customer arrivals and session times are all
    drawn from it, so the patterns are consistent across tables.
    """

    def __init__(self, spec: DemoSpec) -> None:
        self.start_day = (spec.start - _EPOCH).days
        self.end_day = (spec.end - _EPOCH).days
        self.n_days = self.end_day - self.start_day
        self.start_s = self.start_day * DAY
        self.end_s = self.end_day * DAY
        days = np.arange(self.start_day, self.end_day, dtype=np.int64)
        dates = days.astype("datetime64[D]")
        months = dates.astype("datetime64[M]")
        month0 = months.astype(np.int64) % 12
        dom = (dates - months.astype("datetime64[D]")).astype(np.int64) + 1
        weekday = (days + 3) % 7
        years = (days - self.start_day) / 365.25
        w = (
            np.exp(np.log1p(CHANNEL_GROWTH)[:, None] * years[None, :])
            * SEASON[:, month0]
            * DAY_OF_WEEK[:, weekday]
        )
        for (month, day), factors in HOLIDAYS.items():
            sel = (month0 == month - 1) & (dom == day)
            w[:, sel] *= np.array(factors)[:, None]
        black_friday = np.flatnonzero((month0 == 10) & (weekday == 4) & (dom >= 23) & (dom <= 29))
        for offset, web, store in BLACK_FRIDAY:
            idx = black_friday + offset
            idx = idx[idx < self.n_days]
            w[WEB, idx] *= web
            w[STORE, idx] *= store
        self.weights: F64 = w
        self.day_cum: F64 = np.cumsum(w, axis=1)
        self.arrival_cum: F64 = np.cumsum(w * np.exp(np.log1p(ARRIVAL_GROWTH) * years), axis=1)
        self.hour_cum: F64 = np.cumsum(HOURS, axis=1)
        self.open_days: list[I64] = [_i64(np.flatnonzero(w[c] > 0)) for c in range(3)]

        month_index = np.arange(
            months[0], months[-1] + np.timedelta64(1, "M"), dtype="datetime64[M]"
        ).astype(np.int64)  # months since 1970-01
        month_starts = month_index.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
        next_starts = (
            (month_index + 1).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
        )
        bounds = np.clip(np.append(month_starts, self.end_day), self.start_day, self.end_day)
        self.chunks: list[tuple[int, int]] = [
            (int(bounds[i] - self.start_day), int(bounds[i + 1] - self.start_day))
            for i in range(len(month_starts))
        ]
        self.chunk_year: list[int] = [int(m // 12 + 1970) for m in month_index]
        self.chunk_month: list[int] = [int(m % 12 + 1) for m in month_index]
        self.month_start: list[int] = [int(d) for d in month_starts]
        self.month_days: list[int] = [int(d) for d in next_starts - month_starts]

    def time_of_day(self, rng: np.random.Generator, profile: int, n: int) -> I64:
        """Seconds after midnight, from the hour profile of a channel."""
        cum = self.hour_cum[profile]
        hour = np.searchsorted(cum, rng.random(n) * cum[-1], side="right").astype(np.int64)
        return _i64(np.minimum(hour, 23) * HOUR + rng.integers(0, HOUR, n))

    def times(self, rng: np.random.Generator, channel: int, d0: int, d1: int, n: int) -> I64:
        """``n`` timestamps (seconds) in day offsets ``[d0, d1)`` with the channel's pattern."""
        w = self.weights[channel, d0:d1]
        # No demand at all happens for e.g. a one-day chunk on Christmas for sales.
        day = _pick(rng, np.cumsum(w), n) if w.sum() > 0 else rng.integers(0, d1 - d0, n)
        return (self.start_day + d0 + day) * DAY + self.time_of_day(rng, channel, n)

    def open_day(self, channel: int, day: I64) -> I64:
        """The first day at or after ``day`` on which the channel sells (or the last one)."""
        open_days = self.open_days[channel]
        pos = np.minimum(np.searchsorted(open_days, day), len(open_days) - 1)
        return open_days[pos]


# ---------------------------------------------------------------------------------
# Customers and salespeople, drawn once for the whole range
# ---------------------------------------------------------------------------------


@dataclass
class _Customers:
    """Per-customer arrays; customers are numbered in order of first_seen_at."""

    n: int
    ordering: Bools
    segment: I64
    primary: I64
    region: I64
    country: I64
    target: Bools
    rate: F64
    arrival: I64  # time of the first order, -1 for prospects
    end_life: I64  # after this month the customer stops ordering
    first_seen: I64
    lead_created: I64
    lead_contact: I64
    churned_at: I64
    first_name: I64
    last_name: I64
    suffix: I64
    prospect_lead_customer: I64  # one entry per prospect lead, sorted by time
    prospect_lead_created: I64


def _make_customers(cal: _Calendar, spec: DemoSpec, rng: np.random.Generator) -> _Customers:
    """Draw all customers: who they are, when they arrive, how often and how long they buy.

    A customer's first order is placed at their arrival time (so new customers per month
    follow the business's volume) and later orders are assigned month by month in
    proportion to a personal activity rate while the customer is alive. Customers that
    exist when the data starts (the initial cohort) arrive after a delay that depends on
    how often they buy, as they would in a real extract that starts on ``spec.start``.
    """
    n = max(60, round(spec.orders / 6))
    n_prospects = round(PROSPECT_SHARE * n)
    n_ordering = n - n_prospects
    ordering = np.arange(n) < n_ordering
    segment = np.where(
        ordering, rng.choice(3, n, p=SEGMENT_P), rng.choice(3, n, p=PROSPECT_SEGMENT_P)
    ).astype(np.int64)
    primary = _choice_by_row(rng, PRIMARY_P, segment)
    primary = np.where(ordering, primary, np.where(segment == CONSUMER, WEB, SALES))
    region = _i64(rng.choice(4, n, p=REGION_P))
    country = _i64(rng.choice(5, n, p=COUNTRY_P))
    target = rng.random(n) < TARGET_P[segment]
    rate = rng.gamma(1.2, 1 / 1.2, n)
    life = _i64(rng.exponential(LIFETIME_MONTHS[segment] * _AVG_MONTH_DAYS * DAY))
    initial = ordering & (rng.random(n) < INITIAL_SHARE)

    # Arrival day: the initial cohort shows up after an exponential delay with the mean
    # gap between their orders, everybody else arrives in proportion to demand.
    months_total = cal.n_days / _AVG_MONTH_DAYS
    primary_share = SEGMENT_P @ PRIMARY_P
    base_rate = spec.orders * CHANNEL_SHARE / months_total
    base_rate = base_rate / np.maximum(1.0, n_ordering * INITIAL_SHARE * primary_share)
    mean_delay = _AVG_MONTH_DAYS / (rate * base_rate[primary])
    truncation = -np.expm1(-cal.n_days / mean_delay)
    delay = -mean_delay * np.log1p(-rng.random(n) * truncation)
    day = np.minimum(delay.astype(np.int64), cal.n_days - 1)
    tod = np.zeros(n, dtype=np.int64)
    for c in range(3):
        of_c = primary == c
        drawn = of_c & ~initial
        day[drawn] = _pick(rng, cal.arrival_cum[c], int(drawn.sum()))
        day[of_c & initial] = cal.open_day(c, day[of_c & initial])
        tod[of_c] = cal.time_of_day(rng, c, int(of_c.sum()))
    arrival_any = (cal.start_day + day) * DAY + tod
    arrival = np.where(ordering, arrival_any, -1)
    end_life = np.where(ordering, arrival + life, -1)

    # First seen, and the lead that brought the customer in. B2B customers are known
    # days to weeks before their first order (lead, contact, quote); others minutes or
    # hours before (sign-up at checkout, a chat before buying).
    lead_created = np.full(n, -1, dtype=np.int64)
    lead_contact = np.full(n, -1, dtype=np.int64)
    b2b = ordering & (primary == SALES)
    lag = (_lognormal(rng, 18.0, 0.6, 2.0, 80.0, n) * DAY).astype(np.int64)
    first_seen = arrival - lag
    compressed = arrival_any - ((arrival_any - cal.start_s) * rng.uniform(0.1, 0.8, n)).astype(
        np.int64
    )
    early = b2b & (first_seen < cal.start_s)
    first_seen = np.where(early, compressed, first_seen)
    with_lead = b2b & ~early & (rng.random(n) < 0.6)
    created = first_seen + rng.integers(0, 1800, n)
    contact_gap = (_lognormal(rng, 5.0, 1.0, 0.1, 72.0, n) * HOUR).astype(np.int64)
    contact = created + np.minimum(contact_gap, (arrival - created) // 2)
    lead_created[with_lead] = created[with_lead]
    lead_contact[with_lead] = contact[with_lead]

    other = ordering & (primary != SALES)
    lag2 = _i64(_lognormal(rng, 8.0 * HOUR, 1.0, 1200.0, 5.0 * DAY, n))
    created2 = arrival - lag2
    with_lead2 = other & (rng.random(n) < 0.06) & (created2 >= cal.start_s)
    gap2 = _lognormal(rng, 2400.0, 0.8, 60.0, 5.0 * DAY, n)
    contact2 = created2 + np.minimum(gap2, 0.8 * lag2).astype(np.int64)
    lead_created[with_lead2] = created2[with_lead2]
    lead_contact[with_lead2] = contact2[with_lead2]
    signup = np.where(primary == WEB, rng.integers(60, 1800, n), rng.integers(30, 300, n))
    seen_other = np.where(with_lead2, created2 - rng.integers(0, 600, n), arrival - signup)
    first_seen = np.where(other, seen_other, first_seen)
    first_seen = np.where(ordering, first_seen, arrival_any)  # prospects: their first lead
    first_seen = np.maximum(first_seen, cal.start_s)

    # Prospects' leads: one when they first show up, sometimes a follow-up weeks later.
    prospects = np.flatnonzero(~ordering)
    n_leads = 1 + rng.poisson(0.35, len(prospects))
    pl_customer = np.repeat(prospects, n_leads)
    gaps = _i64(_lognormal(rng, 30.0 * DAY, 0.8, 2.0 * DAY, 200.0 * DAY, len(pl_customer)))
    group_start = np.cumsum(n_leads) - n_leads
    gaps[group_start] = rng.integers(0, 1800, len(prospects))
    total = np.cumsum(gaps)
    offsets = total - np.repeat(total[group_start] - gaps[group_start], n_leads)
    pl_created = first_seen[pl_customer] + offsets
    keep = pl_created < cal.end_s
    pl_customer, pl_created = pl_customer[keep], pl_created[keep]

    # A few B2B customers end their contract explicitly: at the end of the month in
    # which they stop ordering, so no order follows their churned_at.
    churned_at = np.full(n, -1, dtype=np.int64)
    explicit = (
        ordering
        & (segment != CONSUMER)
        & (end_life < cal.end_s)
        & (rng.random(n) < EXPLICIT_CHURN_P)
    )
    month_after = (
        (np.maximum(end_life, 0) // DAY).astype("datetime64[D]").astype("datetime64[M]") + 1
    ).astype("datetime64[D]").astype(np.int64) * DAY
    explicit &= month_after < cal.end_s
    churned_at[explicit] = month_after[explicit]

    first_name = _i64(rng.integers(0, len(FIRST_NAMES), n))
    last_name = _i64(rng.integers(0, len(LAST_NAMES), n))
    suffix = _i64(rng.integers(0, len(COMPANY_SUFFIXES), n))

    order = np.argsort(first_seen, kind="stable")
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    lead_order = np.argsort(pl_created, kind="stable")
    return _Customers(
        n=n,
        ordering=ordering[order],
        segment=segment[order],
        primary=_i64(primary[order]),
        region=region[order],
        country=country[order],
        target=target[order],
        rate=rate[order],
        arrival=_i64(arrival[order]),
        end_life=_i64(end_life[order]),
        first_seen=_i64(first_seen[order]),
        lead_created=lead_created[order],
        lead_contact=lead_contact[order],
        churned_at=churned_at[order],
        first_name=first_name[order],
        last_name=last_name[order],
        suffix=suffix[order],
        prospect_lead_customer=rank[pl_customer[lead_order]],
        prospect_lead_created=_i64(pl_created[lead_order]),
    )


@dataclass
class _Reps:
    """Salespeople: where they work, when, and how good they are."""

    n: int
    names: list[str]
    team: I64
    region: I64
    managers: list[str]
    hired: I64  # epoch day
    left: I64  # epoch day, -1 while employed
    win_p: F64
    deal: F64


def _make_reps(cal: _Calendar, spec: DemoSpec, rng: np.random.Generator) -> _Reps:
    """Draw the sales team; the first rep of each region stays for the whole range.

    Reps differ in win rate (20-45%) and deal size, some join during the range and some
    leave, so per-rep KPIs differ and a region never lacks a rep.
    """
    n = max(6, round(12 * (spec.orders / 60_000) ** 0.3))
    n_teams = min(4, max(2, round(n / 5)))
    combos = rng.choice(len(FIRST_NAMES) * len(LAST_NAMES), n + n_teams, replace=False)
    names = [
        f"{FIRST_NAMES[c // len(LAST_NAMES)]} {LAST_NAMES[c % len(LAST_NAMES)]}" for c in combos
    ]
    region = np.arange(n, dtype=np.int64) % 4
    team = _i64(rng.permutation(np.arange(n) % n_teams))
    senior = np.arange(n) < 4
    before = rng.random(n) < 0.7
    hired = np.where(
        senior,
        cal.start_day - rng.integers(2 * 365, 10 * 365, n),
        np.where(
            before,
            cal.start_day - rng.integers(60, 6 * 365, n),
            cal.start_day + rng.integers(0, max(1, cal.n_days - 120), n),
        ),
    )
    leaves = ~senior & (rng.random(n) < 0.3)
    left = np.maximum(hired, cal.start_day) + 120 + rng.integers(0, cal.n_days, n)
    left = np.where(leaves & (left < cal.end_day - 1), left, -1)
    return _Reps(
        n=n,
        names=names[:n],
        team=team,
        region=region,
        managers=names[n:],
        hired=_i64(hired),
        left=_i64(left),
        win_p=rng.uniform(0.20, 0.45, n),
        deal=np.clip(np.exp(0.25 * rng.standard_normal(n)), 0.7, 1.5),
    )


# ---------------------------------------------------------------------------------
# The month-by-month simulation
# ---------------------------------------------------------------------------------


@dataclass
class _Orders:
    """One month's orders, sorted by time."""

    t: I64
    customer: I64
    channel: I64
    first: Bools
    rep: I64
    amount: I64  # cents
    cost: I64
    quantity: I64
    cancelled: Bools
    campaign: I64
    number: I64


@dataclass
class _Chunk:
    """Where one month chunk lies and its random generator."""

    k: int
    d0: int
    d1: int
    p0: int  # seconds
    p1: int
    rng: np.random.Generator
    campaigns: list[str]


class _Simulation:
    """Holds the state that carries from month to month: id counters and visitors."""

    def __init__(self, con: duckdb.DuckDBPyConnection, spec: DemoSpec) -> None:
        self.con = con
        self.spec = spec
        self.cal = _Calendar(spec)
        self.cust = _make_customers(self.cal, spec, self._rng(0, 0))
        self.reps = _make_reps(self.cal, spec, self._rng(0, 1))
        self.counts: dict[str, int] = {name: 0 for name in LOADED_ENTITIES}
        self.next: dict[str, int] = {name: 1 for name in LOADED_ENTITIES}
        self.anon_visitors = 0
        width = max(5, len(str(self.cust.n)))
        self.id_formats: dict[str, str] = {
            "customer_id": f"C%0{width}d",
            "rep_id": "R%02d",
            "order_id": "O%09d",
            "quote_id": "Q%08d",
            "lead_id": "L%08d",
            "session_id": "S%010d",
            "visitor_id": "V%010d",
            "cart_id": "K%010d",
            "return_id": "RT%08d",
            "complaint_id": "CP%07d",
            "invoice_id": "INV%08d",
            "response_id": "SR%08d",
            "cost_id": "CO%06d",
        }
        cu = self.cust
        weights = cu.rate[None, :] * AFFINITY[cu.primary].T * cu.ordering[None, :]
        self.base_weight: F64 = weights
        total_weight = self.cal.weights.sum(axis=1)
        self.expected: F64 = np.array(
            [
                [
                    spec.orders
                    * CHANNEL_SHARE[c]
                    * self.cal.weights[c, d0:d1].sum()
                    / total_weight[c]
                    for d0, d1 in self.cal.chunks
                ]
                for c in range(3)
            ]
        )
        # Candidates for quotes that were not won, per region, in order of first_seen.
        self.quote_prospects = [
            _i64(np.flatnonzero(~cu.ordering & (cu.segment != CONSUMER) & (cu.region == r)))
            for r in range(4)
        ]
        self.quote_accounts = [
            _i64(np.flatnonzero(cu.ordering & (cu.primary == SALES) & (cu.region == r)))
            for r in range(4)
        ]
        self.eligible: list[list[I64]] = []
        self.employed: list[int] = []
        rp = self.reps
        for d0, d1 in self.cal.chunks:
            first, last = self.cal.start_day + d0, self.cal.start_day + d1 - 1
            # A rep takes accounts after a three-month ramp-up and for whole months only,
            # so every quote, lead and order of an account lies inside their employment.
            ok = (rp.hired <= first - 92) & ((rp.left < 0) | (rp.left >= last))
            self.eligible.append([_i64(np.flatnonzero(ok & (rp.region == r))) for r in range(4)])
            self.employed.append(
                int(((rp.hired <= last) & ((rp.left < 0) | (rp.left >= first))).sum())
            )

    def _rng(self, stream: int, index: int) -> np.random.Generator:
        return np.random.default_rng(np.random.SeedSequence([self.spec.seed, stream, index]))

    # -- output -------------------------------------------------------------------

    def _create_tables(self) -> None:
        for name in LOADED_ENTITIES:
            cols = ", ".join(f'"{c.name}" {DUCKDB_TYPES[c.kind]}' for c in ENTITIES[name].columns)
            self.con.execute(f'CREATE OR REPLACE TABLE "{name}" ({cols})')

    def _append(self, name: str, columns: dict[str, pa.Array]) -> None:
        """Append Arrow columns to a table; ids are formatted and kinds cast in DuckDB."""
        entity = ENTITIES[name]
        table = pa.table({c: columns[c] for c in entity.column_names})
        if table.num_rows == 0:
            return
        # Row-group sized batches (zero-copy slices) let DuckDB scan them in parallel.
        table = pa.Table.from_batches(table.to_batches(max_chunksize=_BATCH_ROWS), table.schema)
        exprs = []
        for col in entity.columns:
            fmt = self.id_formats.get(col.name)
            if fmt is not None:
                exprs.append(f"printf('{fmt}', \"{col.name}\")")
            else:
                exprs.append(f'CAST("{col.name}" AS {DUCKDB_TYPES[col.kind]})')
        view = "__onpace_demo_chunk"
        self.con.register(view, table)
        try:
            self.con.execute(f'INSERT INTO "{name}" SELECT {", ".join(exprs)} FROM "{view}"')
        finally:
            self.con.unregister(view)
        self.counts[name] += table.num_rows

    def _numbers(self, name: str, n: int) -> I64:
        first = self.next[name]
        self.next[name] = first + n
        return np.arange(first, first + n, dtype=np.int64)

    # -- driver ---------------------------------------------------------------------

    def run(self) -> dict[str, int]:
        self._create_tables()
        self._write_customers()
        self._write_salespeople()
        for k, (d0, d1) in enumerate(self.cal.chunks):
            year, month = self.cal.chunk_year[k], self.cal.chunk_month[k]
            campaigns = [
                "brand_search",
                "generic_search",
                "retargeting",
                "social_prospecting",
                f"newsletter_{year}_{month:02d}",
                f"b2b_search_{year}",
                f"linkedin_{year}",
                f"trade_fair_{year}",
                f"whitepaper_{year}",
            ]
            if month in SEASONAL_CAMPAIGNS:
                campaigns.append(f"{SEASONAL_CAMPAIGNS[month]}_{year}")
            ch = _Chunk(
                k=k,
                d0=d0,
                d1=d1,
                p0=(self.cal.start_day + d0) * DAY,
                p1=(self.cal.start_day + d1) * DAY,
                rng=self._rng(1, k),
                campaigns=campaigns,
            )
            self._month(ch)
        return dict(self.counts)

    def _month(self, ch: _Chunk) -> None:
        orders = self._orders(ch)
        self._web(ch, orders)  # sets the orders' campaigns
        self._write_orders(ch, orders)
        self._quotes(ch, orders)
        self._leads(ch, orders)
        returned = self._returns(ch, orders)
        complained = self._complaints(ch, orders)
        self._satisfaction(ch, orders, returned | complained)
        self._invoices(ch, orders)
        self._costs(ch, orders)

    # -- customers and reps -----------------------------------------------------------

    def _write_customers(self) -> None:
        cu = self.cust
        consumer = cu.segment == CONSUMER
        first = pa.array(FIRST_NAMES).take(pa.array(cu.first_name))
        last = pa.array(LAST_NAMES).take(pa.array(cu.last_name))
        suffix = pa.array(COMPANY_SUFFIXES).take(pa.array(cu.suffix))
        person = pc.binary_join_element_wise(first, last, " ")
        company = pc.binary_join_element_wise(last, suffix, " ")
        name = pc.if_else(pa.array(consumer), person, company)
        self._append(
            "customers",
            {
                "customer_id": _a_id(np.arange(1, cu.n + 1, dtype=np.int64)),
                "first_seen_at": _a_ts(cu.first_seen),
                "name": name,
                "segment": _a_cat(cu.segment, SEGMENTS),
                "region": _a_cat(cu.region, REGIONS),
                "country": _a_cat(cu.country, COUNTRIES),
                "is_target_audience": pa.array(cu.target, type=pa.bool_()),
                "churned_at": _a_ts(cu.churned_at),
            },
        )

    def _write_salespeople(self) -> None:
        rp = self.reps
        self._append(
            "salespeople",
            {
                "rep_id": _a_id(np.arange(1, rp.n + 1, dtype=np.int64)),
                "name": pa.array(rp.names, type=pa.string()),
                "team": _a_cat(rp.team, TEAMS),
                "region": _a_cat(rp.region, REGIONS),
                "manager": pa.array([rp.managers[t] for t in rp.team], type=pa.string()),
                "hired_at": _a_date(rp.hired),
                "left_at": _a_date(rp.left),
            },
        )

    def _account_rep(self, k: int, customer: I64) -> I64:
        """The rep who owns each customer's account in month ``k`` (by region)."""
        out = np.full(len(customer), -1, dtype=np.int64)
        region = self.cust.region[np.maximum(customer, 0)]
        for r in range(4):
            sel = (region == r) & (customer >= 0)
            reps = self.eligible[k][r]
            if sel.any() and len(reps):
                out[sel] = reps[customer[sel] % len(reps)]
        return out

    # -- orders ---------------------------------------------------------------------

    def _orders(self, ch: _Chunk) -> _Orders:
        """Draw the month's orders: first orders of arriving customers, guest orders and
        repeat orders of living customers, with the month's volume per channel."""
        cal, cu, rng = self.cal, self.cust, ch.rng
        wanted = rng.poisson(self.expected[:, ch.k])
        firsts = _i64(np.flatnonzero(cu.ordering & (cu.arrival >= ch.p0) & (cu.arrival < ch.p1)))
        first_channel = cu.primary[firsts]
        arrived = np.bincount(first_channel, minlength=3)
        n_guest = int(rng.binomial(int(wanted[WEB]), GUEST_SHARE))
        times = [cu.arrival[firsts], cal.times(rng, WEB, ch.d0, ch.d1, n_guest)]
        customers = [firsts, np.full(n_guest, -1, dtype=np.int64)]
        channels = [first_channel, np.full(n_guest, WEB, dtype=np.int64)]
        alive = cu.ordering & (cu.arrival < ch.p1) & (cu.end_life >= ch.p0)
        # Customers arriving this month can only buy again in the rest of the month.
        share = np.clip((ch.p1 - cu.arrival) / (ch.p1 - ch.p0), 0.0, 1.0)
        for c in range(3):
            need = int(wanted[c] - arrived[c] - (n_guest if c == WEB else 0))
            if need <= 0:
                continue
            cum = np.cumsum(np.where(alive, self.base_weight[c] * share, 0.0))
            if cum[-1] <= 0:
                continue
            who = _pick(rng, cum, need)
            t = cal.times(rng, c, ch.d0, ch.d1, need)
            # A repeat order drawn before the customer's first order moves by whole weeks
            # (keeping weekday and hour); if that leaves the month or hits a closed
            # holiday it is dropped.
            arr = cu.arrival[who]
            t = np.where(t <= arr, t + ((arr - t) // WEEK + 1) * WEEK, t)
            keep = t < ch.p1
            keep[keep] = cal.weights[c, t[keep] // DAY - cal.start_day] > 0  # not on a holiday
            times.append(t[keep])
            customers.append(who[keep])
            channels.append(np.full(int(keep.sum()), c, dtype=np.int64))
        n_first = len(firsts)
        t_all = np.concatenate(times)
        order = np.argsort(t_all, kind="stable")
        t_all = t_all[order]
        customer = np.concatenate(customers)[order]
        channel = np.concatenate(channels)[order]
        first = (np.arange(len(order)) < n_first)[order]
        n = len(t_all)

        segment = np.where(customer >= 0, cu.segment[np.maximum(customer, 0)], CONSUMER)
        sales = channel == SALES
        rep = np.full(n, -1, dtype=np.int64)
        rep[sales] = self._account_rep(ch.k, customer[sales])
        years = (t_all - cal.start_s) / (365.25 * DAY)
        mu = np.log(AMOUNT_MEDIAN[channel]) + np.log1p(PRICE_INFLATION) * years
        mu += np.where(sales, np.log(SEGMENT_DEAL[segment]), 0.0)
        mu += np.where(sales, np.log(self.reps.deal[np.maximum(rep, 0)]), 0.0)
        mu += np.where((channel == WEB) & (segment != CONSUMER), np.log(1.6), 0.0)
        if self.cal.chunk_month[ch.k] in (11, 12):
            mu += np.where(channel == WEB, np.log(1.08), 0.0)
        amount = np.maximum(
            100, _cents(np.exp(mu + AMOUNT_SIGMA[channel] * rng.standard_normal(n)) * 100)
        )
        unit = np.exp(np.log(UNIT_MEDIAN[channel]) + 0.5 * rng.standard_normal(n))
        quantity = np.clip(np.rint(amount / 100 / unit), 1, MAX_QUANTITY[channel]).astype(np.int64)
        cost = _cents(amount * rng.uniform(COST_LOW[channel], COST_HIGH[channel]))
        cancelled = rng.random(n) < CANCEL_P[channel]
        return _Orders(
            t=t_all,
            customer=customer,
            channel=channel,
            first=first,
            rep=rep,
            amount=amount,
            cost=cost,
            quantity=quantity,
            cancelled=cancelled,
            campaign=np.full(n, -1, dtype=np.int64),
            number=self._numbers("orders", n),
        )

    def _write_orders(self, ch: _Chunk, o: _Orders) -> None:
        self._append(
            "orders",
            {
                "order_id": _a_id(o.number),
                "ordered_at": _a_ts(o.t),
                "amount": _a_money(o.amount),
                "customer_id": _a_id(np.where(o.customer >= 0, o.customer + 1, -1)),
                "rep_id": _a_id(np.where(o.rep >= 0, o.rep + 1, -1)),
                "channel": _a_cat(o.channel, CHANNELS),
                "cost": _a_money(o.cost),
                "quantity": pa.array(o.quantity, type=pa.int64()),
                "currency": _a_cat(np.zeros(len(o.t), dtype=np.int64), ("EUR",)),
                "status": _a_cat(o.cancelled.astype(np.int64), ("completed", "cancelled")),
                "campaign": _a_cat(o.campaign, ch.campaigns),
            },
        )

    # -- web sessions and carts -----------------------------------------------------------

    def _session_campaign(self, ch: _Chunk, combo: I64) -> I64:
        kind = _i64(np.array([c[2] for c in SESSION_COMBOS])[combo])
        u = ch.rng.random(len(combo))
        has_seasonal = len(ch.campaigns) > SEASONAL
        seasonal_search = SEASONAL if has_seasonal else GENERIC
        seasonal_social = SEASONAL if has_seasonal else SOCIAL
        search = np.where(u < 0.45, BRAND, np.where(u < 0.80, GENERIC, seasonal_search))
        social = np.where(u < 0.5, RETARGETING, seasonal_social)
        out = np.full(len(combo), -1, dtype=np.int64)
        out = np.where(kind == 1, search, out)
        out = np.where(kind == 2, social, out)
        return _i64(np.where(kind == 3, NEWSLETTER, out))

    def _web(self, ch: _Chunk, o: _Orders) -> None:
        """Web sessions and carts of the month.

        Every web order gets the session it was placed in (whose campaign is credited
        to the order) and a converted cart; other sessions are drawn with the web
        shop's weekly and daily pattern, and some of them leave an abandoned cart.
        """
        cal, cu, rng = self.cal, self.cust, ch.rng
        web = _i64(np.flatnonzero(o.channel == WEB))
        n_web = len(web)
        buy_start = o.t[web] - rng.integers(120, 2700, n_web)
        has_session = buy_start >= cal.start_s
        buyers = web[has_session]
        b_start = buy_start[has_session]
        nb = len(buyers)
        b_combo = _pick(rng, np.cumsum(BUYING_SESSION_P), nb)

        n_bg = int(rng.poisson(n_web * SESSIONS_PER_WEB_ORDER))
        g_start = cal.times(rng, WEB, ch.d0, ch.d1, n_bg)
        g_combo = _pick(rng, np.cumsum(SESSION_P), n_bg)
        g_customer = np.full(n_bg, -1, dtype=np.int64)
        login = rng.random(n_bg) < LOGGED_IN_P
        known = cu.ordering & (cu.arrival < ch.p0) & (cu.end_life >= ch.p0)
        cum = np.cumsum(np.where(known, self.base_weight[WEB], 0.0))
        if login.any() and cum[-1] > 0:
            g_customer[login] = _pick(rng, cum, int(login.sum()))

        start = np.concatenate([b_start, g_start])
        customer = np.concatenate([o.customer[buyers], g_customer])
        combo = np.concatenate([b_combo, g_combo])
        n_sessions = len(start)
        visitor = np.where(customer >= 0, customer + 1, 0)
        anon = np.flatnonzero(customer < 0)
        back = rng.random(len(anon)) < (RETURNING_VISITOR_P if self.anon_visitors > 0 else 0.0)
        n_new = int((~back).sum())
        base = cu.n + 1
        visitor[anon[back]] = base + rng.integers(0, max(1, self.anon_visitors), int(back.sum()))
        visitor[anon[~back]] = base + self.anon_visitors + np.arange(n_new)
        self.anon_visitors += n_new
        campaign = self._session_campaign(ch, combo)
        o.campaign[buyers] = campaign[:nb]

        order = np.argsort(start, kind="stable")
        number_of_row = np.empty(n_sessions, dtype=np.int64)
        number_of_row[order] = self._numbers("web_sessions", n_sessions)
        source_names = tuple(dict.fromkeys(c[0] for c in SESSION_COMBOS))
        medium_names = tuple(dict.fromkeys(c[1] for c in SESSION_COMBOS))
        source_of = _i64([source_names.index(c[0]) for c in SESSION_COMBOS])
        medium_of = _i64([medium_names.index(c[1]) for c in SESSION_COMBOS])
        combo_sorted = combo[order]
        self._append(
            "web_sessions",
            {
                "session_id": _a_id(number_of_row[order]),
                "started_at": _a_ts(start[order]),
                "visitor_id": _a_id(visitor[order]),
                "customer_id": _a_id(np.where(customer[order] >= 0, customer[order] + 1, -1)),
                "source": _a_cat(source_of[combo_sorted], source_names),
                "medium": _a_cat(medium_of[combo_sorted], medium_names),
                "campaign": _a_cat(campaign[order], ch.campaigns),
                "is_paid": pa.array(medium_of[combo_sorted] == medium_names.index("cpc")),
            },
        )

        # Carts: one per web order (it became that order), plus abandoned ones.
        c_session = np.full(n_web, -1, dtype=np.int64)
        c_session[has_session] = number_of_row[:nb]
        c_created = o.t[web] - rng.integers(60, 600, n_web)
        spent = (o.t[buyers] - b_start) * rng.uniform(0.2, 0.9, nb)
        c_created[has_session] = b_start + spent.astype(np.int64)
        c_created = np.maximum(c_created, cal.start_s)
        n_abandoned = min(int(rng.poisson(n_web * ABANDONED_CARTS_PER_WEB_ORDER)), n_bg)
        chosen = _i64(rng.choice(n_bg, n_abandoned, replace=False)) if n_abandoned else _i64([])
        a_created = g_start[chosen] + rng.integers(30, 1500, n_abandoned)
        keep = a_created < cal.end_s
        chosen, a_created = chosen[keep], a_created[keep]
        a_value = _cents(
            _lognormal(rng, AMOUNT_MEDIAN[WEB] * 1.15, 0.8, 3.0, 5000.0, len(chosen)) * 100
        )
        created = np.concatenate([c_created, a_created])
        cart_order = np.argsort(created, kind="stable")
        self._append(
            "carts",
            {
                "cart_id": _a_id(self._numbers("carts", len(created))),
                "created_at": _a_ts(created[cart_order]),
                "session_id": _a_id(
                    np.concatenate([c_session, number_of_row[nb + chosen]])[cart_order]
                ),
                "customer_id": _a_id(
                    np.concatenate(
                        [
                            np.where(o.customer[web] >= 0, o.customer[web] + 1, -1),
                            np.where(g_customer[chosen] >= 0, g_customer[chosen] + 1, -1),
                        ]
                    )[cart_order]
                ),
                "value": _a_money(np.concatenate([o.amount[web], a_value])[cart_order]),
                "order_id": _a_id(
                    np.concatenate([o.number[web], np.full(len(chosen), -1)])[cart_order]
                ),
            },
        )

    # -- quotes -----------------------------------------------------------------------

    def _quote_customer(self, rng: np.random.Generator, region: I64, when: I64) -> I64:
        """A B2B prospect (half of the time) or B2B account of the region known before
        ``when``, for quotes that did not (yet) become an order; -1 if there is none."""
        cu = self.cust
        n = len(region)
        out = np.full(n, -1, dtype=np.int64)
        prefer_prospect = rng.random(n) < 0.5
        u = rng.random(n)
        for r in range(4):
            sel = np.flatnonzero(region == r)
            if len(sel) == 0:
                continue
            picks = []
            for group in (self.quote_prospects[r], self.quote_accounts[r]):
                if len(group) == 0:
                    picks.append(np.full(len(sel), -1, dtype=np.int64))
                    continue
                cut = np.searchsorted(cu.first_seen[group], when[sel], side="left")
                j = np.minimum((u[sel] * cut).astype(np.int64), np.maximum(cut - 1, 0))
                picks.append(np.where(cut > 0, group[j], -1))
            prospect, account = picks
            preferred = np.where(prefer_prospect[sel], prospect, account)
            fallback = np.where(prefer_prospect[sel], account, prospect)
            out[sel] = np.where(preferred >= 0, preferred, fallback)
        return out

    def _deal_cents(self, rng: np.random.Generator, customer: I64, rep: I64, t: I64) -> I64:
        """Quoted amounts of quotes that did not become orders: like B2B orders, a bit larger."""
        years = (t - self.cal.start_s) / (365.25 * DAY)
        mu = (
            np.log(AMOUNT_MEDIAN[SALES] * 1.15)
            + np.log1p(PRICE_INFLATION) * years
            + np.log(SEGMENT_DEAL[self.cust.segment[customer]])
            + np.log(self.reps.deal[rep])
        )
        noise = AMOUNT_SIGMA[SALES] * rng.standard_normal(len(t))
        return np.maximum(100, _cents(np.exp(mu + noise) * 100))

    def _quotes(self, ch: _Chunk, o: _Orders) -> None:
        """Quotes of the B2B department.

        Most first B2B orders and about half of the repeat ones come from a won quote,
        decided when the order is placed; each rep loses quotes in proportion to their
        win rate; quotes whose decision would fall after the end date are still open.
        """
        cal, cu, rp, rng = self.cal, self.cust, self.reps, ch.rng
        s = _i64(np.flatnonzero(o.channel == SALES))
        customer = o.customer[s]
        first = o.first[s]
        with_quote = rng.random(len(s)) < np.where(first, 0.85, 0.45)
        anchor = np.where(
            cu.lead_contact[customer] >= 0, cu.lead_contact[customer], cu.first_seen[customer]
        )
        submitted_first = anchor + ((o.t[s] - anchor) * rng.uniform(0.3, 0.9, len(s))).astype(
            np.int64
        )
        # Prefer office hours on a workday when that still lies between anchor and order.
        office = _prev_workday(submitted_first // DAY * DAY + cal.time_of_day(rng, SALES, len(s)))
        fits = (office > anchor) & (office < o.t[s])
        submitted_first = np.where(fits, office, submitted_first)
        cycle = _lognormal(rng, 12.0, 0.6, 1.0, 60.0, len(s)).astype(np.int64)
        submitted_repeat = _prev_workday(
            (o.t[s] // DAY - cycle) * DAY + cal.time_of_day(rng, SALES, len(s))
        )
        submitted = np.where(first, submitted_first, submitted_repeat)
        ok = (
            with_quote
            & (submitted >= np.maximum(cal.start_s, cu.first_seen[customer]))
            & (submitted < o.t[s])
        )
        won = s[ok]
        won_rep = o.rep[won]

        p = rp.win_p[won_rep]
        lost_rep = np.repeat(won_rep, rng.poisson((1 - p) / p))
        n_lost = len(lost_rep)
        lost_decided = cal.times(rng, SALES, ch.d0, ch.d1, n_lost)
        lost_cycle = _lognormal(rng, 16.0, 0.7, 1.0, 75.0, n_lost).astype(np.int64)
        lost_submitted = _prev_workday(
            (lost_decided // DAY - lost_cycle) * DAY + cal.time_of_day(rng, SALES, n_lost)
        )
        lost_customer = self._quote_customer(rng, rp.region[lost_rep], lost_submitted)
        keep = (lost_submitted >= cal.start_s) & (lost_customer >= 0)
        lost_rep, lost_decided = lost_rep[keep], lost_decided[keep]
        lost_submitted, lost_customer = lost_submitted[keep], lost_customer[keep]

        open_rep = open_submitted = open_customer = _i64([])
        if ch.p1 + 75 * DAY > cal.end_s:
            n_candidates = int(rng.poisson(len(won) + n_lost + 1))
            reps_now = np.concatenate(self.eligible[ch.k])
            open_rep = reps_now[rng.integers(0, len(reps_now), n_candidates)]
            open_submitted = cal.times(rng, SALES, ch.d0, ch.d1, n_candidates)
            open_cycle = _lognormal(rng, 16.0, 0.7, 1.0, 75.0, n_candidates)
            pending = open_submitted + (open_cycle * DAY).astype(np.int64) >= cal.end_s
            open_customer = self._quote_customer(rng, rp.region[open_rep], open_submitted)
            keep = pending & (open_customer >= 0)
            open_rep, open_submitted = open_rep[keep], open_submitted[keep]
            open_customer = open_customer[keep]

        n_won, n_lost, n_open = len(won), len(lost_rep), len(open_rep)
        sub = np.concatenate([submitted[ok], lost_submitted, open_submitted])
        order = np.argsort(sub, kind="stable")
        status = np.concatenate([np.full(n_won, 1), np.full(n_lost, 2), np.full(n_open, 0)]).astype(
            np.int64
        )
        decided = np.concatenate([o.t[won], lost_decided, np.full(n_open, -1)])
        customer_all = np.concatenate([o.customer[won], lost_customer, open_customer])
        rep_all = np.concatenate([won_rep, lost_rep, open_rep])
        amount = np.concatenate(
            [
                o.amount[won],
                self._deal_cents(rng, lost_customer, lost_rep, lost_decided),
                self._deal_cents(rng, open_customer, open_rep, open_submitted),
            ]
        )
        order_number = np.concatenate([o.number[won], np.full(n_lost + n_open, -1)])
        self._append(
            "quotes",
            {
                "quote_id": _a_id(self._numbers("quotes", len(sub))),
                "submitted_at": _a_ts(sub[order]),
                "status": _a_cat(status[order], QUOTE_STATUSES),
                "decided_at": _a_ts(_i64(decided[order])),
                "customer_id": _a_id(customer_all[order] + 1),
                "rep_id": _a_id(rep_all[order] + 1),
                "amount": _a_money(amount[order]),
                "order_id": _a_id(_i64(order_number[order])),
            },
        )

    # -- leads ----------------------------------------------------------------------

    def _first_contact(
        self, rng: np.random.Generator, created: I64, customer: I64, p: float
    ) -> I64:
        """When a salesperson (B2B) or the service team (consumers) first answered, if at all."""
        n = len(created)
        b2b = self.cust.segment[customer] != CONSUMER
        gap = np.where(
            b2b,
            _lognormal(rng, 5.0 * HOUR, 1.0, 300.0, 10.0 * DAY, n),
            _lognormal(rng, 2400.0, 1.0, 60.0, 3.0 * DAY, n),
        ).astype(np.int64)
        contact = created + gap
        return np.where((rng.random(n) < p) & (contact < self.cal.end_s), contact, -1)

    def _leads(self, ch: _Chunk, o: _Orders) -> None:
        """Inbound requests: those that brought new customers in (converted at their first
        order), those before a repeat B2B order (converted at it), prospects' requests
        and service questions of existing customers (not converted)."""
        cal, cu, rng = self.cal, self.cust, ch.rng
        new = _i64(np.flatnonzero((cu.lead_created >= ch.p0) & (cu.lead_created < ch.p1)))

        upsell = _i64(
            np.flatnonzero((o.channel == SALES) & ~o.first & (rng.random(len(o.t)) < 0.04))
        )
        up_created = _prev_workday(
            o.t[upsell]
            - (_lognormal(rng, 10.0, 0.6, 1.0, 45.0, len(upsell)) * DAY).astype(np.int64)
        )
        ok = up_created >= np.maximum(cal.start_s, cu.first_seen[o.customer[upsell]])
        upsell, up_created = upsell[ok], up_created[ok]
        up_gap = _lognormal(rng, 4.0 * HOUR, 0.8, 300.0, 3.0 * DAY, len(upsell)).astype(np.int64)
        up_contact = up_created + np.minimum(up_gap, (o.t[upsell] - up_created) // 2)

        lo, hi = np.searchsorted(cu.prospect_lead_created, [ch.p0, ch.p1])
        prospect = cu.prospect_lead_customer[lo:hi]
        prospect_created = cu.prospect_lead_created[lo:hi]

        pool = np.flatnonzero(cu.ordering & (cu.arrival < ch.p0) & (cu.end_life >= ch.p0))
        n_service = int(rng.poisson(0.02 * len(o.t))) if len(pool) else 0
        service = _i64(pool[rng.integers(0, max(1, len(pool)), n_service)])
        service_created = np.where(
            cu.segment[service] == CONSUMER,
            cal.times(rng, WEB, ch.d0, ch.d1, n_service),
            cal.times(rng, SALES, ch.d0, ch.d1, n_service),
        )

        customer = np.concatenate([new, o.customer[upsell], prospect, service])
        created = np.concatenate(
            [cu.lead_created[new], up_created, prospect_created, service_created]
        )
        contact = np.concatenate(
            [
                cu.lead_contact[new],
                up_contact,
                self._first_contact(rng, prospect_created, prospect, 0.85),
                self._first_contact(rng, service_created, service, 0.90),
            ]
        )
        converted = np.concatenate(
            [cu.arrival[new], o.t[upsell], np.full(len(prospect) + n_service, -1)]
        )
        consumer = cu.segment[customer] == CONSUMER
        rep = np.where(consumer, -1, self._account_rep(ch.k, customer))
        rep[len(new) : len(new) + len(upsell)] = o.rep[upsell]
        source = _choice_by_row(rng, LEAD_SOURCE_P, consumer.astype(np.int64))
        u = rng.random(len(customer))
        campaign = np.full(len(customer), -1, dtype=np.int64)
        campaign = np.where(source == AD, np.where(u < 0.6, B2B_SEARCH, LINKEDIN), campaign)
        form = source == FORM
        campaign = np.where(form & ~consumer, np.where(u < 0.4, FAIR, PAPER), campaign)
        campaign = np.where(form & consumer, NEWSLETTER, campaign)
        order = np.argsort(created, kind="stable")
        self._append(
            "leads",
            {
                "lead_id": _a_id(self._numbers("leads", len(created))),
                "created_at": _a_ts(_i64(created[order])),
                "source": _a_cat(source[order], LEAD_SOURCES),
                "campaign": _a_cat(campaign[order], ch.campaigns),
                "first_contact_at": _a_ts(_i64(contact[order])),
                "customer_id": _a_id(customer[order] + 1),
                "rep_id": _a_id(np.where(rep[order] >= 0, rep[order] + 1, -1)),
                "converted_at": _a_ts(_i64(converted[order])),
            },
        )

    # -- after-sales --------------------------------------------------------------------

    def _returns(self, ch: _Chunk, o: _Orders) -> Bools:
        """Returns and exchanges of web and store orders, 2-40 days after the order."""
        cal, rng = self.cal, ch.rng
        n = len(o.t)
        sel = _i64(np.flatnonzero(~o.cancelled & (rng.random(n) < RETURN_P[o.channel])))
        m = len(sel)
        day = o.t[sel] // DAY + _lognormal(rng, 9.0, 0.55, 2.0, 40.0, m).astype(np.int64)
        store = o.channel[sel] == STORE
        by_post = _next_workday(day * DAY + cal.time_of_day(rng, SALES, m))
        in_store = day * DAY + cal.time_of_day(rng, STORE, m)
        in_store += np.where(_weekday(in_store) == 6, DAY, 0)
        t = np.where(store, in_store, by_post)
        keep = t < cal.end_s
        sel, t, store = sel[keep], t[keep], store[keep]
        m = len(sel)
        exchange = rng.random(m) < 0.25
        full = rng.random(m) < 0.7
        amount = o.amount[sel]
        partial = _cents(amount * rng.uniform(0.2, 0.8, m))
        refund = np.where(exchange, 0, np.where(full, amount, partial))
        qty = o.quantity[sel]
        some = 1 + (rng.random(m) * np.maximum(qty - 1, 1)).astype(np.int64)
        any_ = 1 + (rng.random(m) * qty).astype(np.int64)
        quantity = np.where(exchange, any_, np.where(full, qty, some))
        reason = _choice_by_row(rng, RETURN_REASON_P, store.astype(np.int64))
        order = np.argsort(t, kind="stable")
        self._append(
            "returns",
            {
                "return_id": _a_id(self._numbers("returns", m)),
                "returned_at": _a_ts(t[order]),
                "order_id": _a_id(o.number[sel][order]),
                "kind": _a_cat(exchange.astype(np.int64)[order], RETURN_KINDS),
                "amount": _a_money(_i64(refund[order])),
                "quantity": pa.array(quantity[order], type=pa.int64()),
                "reason": _a_cat(reason[order], RETURN_REASONS),
            },
        )
        returned = np.zeros(n, dtype=np.bool_)
        returned[sel] = True
        return returned

    def _complaints(self, ch: _Chunk, o: _Orders) -> Bools:
        """Complaints about orders, most of them resolved within days."""
        cal, rng = self.cal, ch.rng
        n = len(o.t)
        sel = _i64(np.flatnonzero(rng.random(n) < COMPLAINT_P[o.channel]))
        opened = o.t[sel] + _lognormal(rng, 3.0 * DAY, 0.9, HOUR, 45.0 * DAY, len(sel)).astype(
            np.int64
        )
        keep = opened < cal.end_s
        sel, opened = sel[keep], opened[keep]
        m = len(sel)
        category = _choice_by_row(rng, COMPLAINT_CATEGORY_P, o.channel[sel])
        resolved = opened + _lognormal(rng, 36.0 * HOUR, 1.0, 1800.0, 60.0 * DAY, m).astype(
            np.int64
        )
        resolved = np.where((rng.random(m) < 0.92) & (resolved < cal.end_s), resolved, -1)
        order = np.argsort(opened, kind="stable")
        customer = o.customer[sel][order]
        self._append(
            "complaints",
            {
                "complaint_id": _a_id(self._numbers("complaints", m)),
                "opened_at": _a_ts(opened[order]),
                "customer_id": _a_id(np.where(customer >= 0, customer + 1, -1)),
                "order_id": _a_id(o.number[sel][order]),
                "category": _a_cat(category[order], COMPLAINT_CATEGORIES),
                "resolved_at": _a_ts(resolved[order]),
            },
        )
        complained = np.zeros(n, dtype=np.bool_)
        complained[sel] = True
        return complained

    def _satisfaction(self, ch: _Chunk, o: _Orders, unhappy: Bools) -> None:
        """Survey answers after about a tenth of the orders; worse after a return or a
        complaint, so satisfaction KPIs move with the after-sales ones."""
        cal, rng = self.cal, ch.rng
        n = len(o.t)
        sel = _i64(np.flatnonzero(~o.cancelled & (rng.random(n) < SURVEY_P[o.channel])))
        responded = o.t[sel] + _lognormal(rng, 2.0 * DAY, 0.8, HOUR, 21.0 * DAY, len(sel)).astype(
            np.int64
        )
        keep = responded < cal.end_s
        sel, responded = sel[keep], responded[keep]
        m = len(sel)
        nps = rng.random(m) < 0.5
        mood = unhappy[sel].astype(np.int64)
        csat_score = _choice_by_row(rng, CSAT_P, mood) + 1
        nps_score = _choice_by_row(rng, NPS_P, mood)
        score = np.where(nps, nps_score, csat_score).astype(np.float64)
        order = np.argsort(responded, kind="stable")
        customer = o.customer[sel][order]
        self._append(
            "satisfaction",
            {
                "response_id": _a_id(self._numbers("satisfaction", m)),
                "responded_at": _a_ts(responded[order]),
                "score": pa.array(score[order], type=pa.float64()),
                "scale": _a_cat(nps.astype(np.int64)[order], SCALES),
                "customer_id": _a_id(np.where(customer >= 0, customer + 1, -1)),
                "order_id": _a_id(o.number[sel][order]),
            },
        )

    def _invoices(self, ch: _Chunk, o: _Orders) -> None:
        """One invoice per completed B2B order, due after 30 days.

        Most are paid before or around the due date, some late, a few never (those
        older than four months are written off). Payments after the end date have not
        happened yet. A due date is a term agreed when invoicing, not an event, so the
        invoices of the last month are due after the end date, as in any real ledger.
        """
        cal, rng = self.cal, ch.rng
        s = _i64(np.flatnonzero((o.channel == SALES) & ~o.cancelled))
        m = len(s)
        issued = o.t[s]
        amount = o.amount[s]
        due = issued + 30 * DAY
        u = rng.random(m)
        never = u < 0.015
        late = (u >= 0.015) & (u < 0.055)
        on_time_days = np.clip(rng.normal(21.0, 5.0, m), 1.0, 27.0)
        late_days = 30.0 + _lognormal(rng, 15.0, 0.7, 1.0, 150.0, m)
        days = np.where(late, late_days, on_time_days).astype(np.int64)
        paid = _next_workday((issued // DAY + days) * DAY + cal.time_of_day(rng, SALES, m))
        paid = np.where(~never & (paid < cal.end_s), paid, -1)
        partial = never & (rng.random(m) < 0.3)
        paid_amount = np.where(
            paid >= 0, amount, np.where(partial, _cents(amount * rng.uniform(0.2, 0.7, m)), 0)
        )
        customer = o.customer[s]
        self._append(
            "invoices",
            {
                "invoice_id": _a_id(self._numbers("invoices", m)),
                "issued_at": _a_ts(issued),
                "amount": _a_money(amount),
                "due_at": _a_ts(due),
                "order_id": _a_id(o.number[s]),
                "customer_id": _a_id(customer + 1),
                "paid_amount": _a_money(_i64(paid_amount)),
                "paid_at": _a_ts(paid),
                "written_off": pa.array(never & (issued < cal.end_s - 120 * DAY)),
            },
        )

    def _costs(self, ch: _Chunk, o: _Orders) -> None:
        """Monthly operating cost lines: some follow revenue (ads, shipping), some grow
        slowly with time (salaries, rent), so profit KPIs have a realistic shape."""
        cal, rng, k = self.cal, ch.rng, ch.k
        done = ~o.cancelled
        revenue = np.bincount(o.channel[done], weights=o.amount[done] / 100, minlength=3)
        frac = (ch.d1 - ch.d0) / cal.month_days[k]
        scale = self.spec.orders / 60_000
        wage = 1.04 ** (ch.d0 / 365.25)
        rent = 1.03 ** (cal.chunk_year[k] - cal.chunk_year[0])
        first_day, last_day = cal.start_day + ch.d0, cal.start_day + ch.d1 - 1
        payday = min(max(cal.month_start[k] + 24, first_day), last_day)
        noise = rng.normal(1.0, 0.06, 4)
        lines: list[tuple[int, float, int]] = [  # category, euros, epoch day (-1: any day)
            (MARKETING, 0.045 * revenue[WEB] * noise[0], -1),
            (MARKETING, 0.015 * revenue[WEB] * noise[1], -1),
            (MARKETING, 1500.0 * scale**0.5 * frac, -1),
            (SALARIES, self.employed[k] * 2600.0 * wage * frac, payday),
            (SALARIES, 12000.0 * scale**0.9 * wage * frac, payday),
            (RENT, 4500.0 * scale**0.8 * rent * frac, first_day),
            (RENT, 2000.0 * scale**0.8 * rent * frac, first_day),
            (RENT, 1500.0 * rent * frac, first_day),
            (LOGISTICS, (0.07 * revenue[WEB] + 0.02 * revenue[SALES]) * noise[2], -1),
            (LOGISTICS, 0.012 * revenue[STORE] * noise[3], -1),
        ]
        if cal.chunk_month[k] in (3, 9):  # trade fairs
            lines.append((MARKETING, 9000.0 * scale**0.6, -1))
        lines = [line for line in lines if line[1] >= 0.01]
        category = _i64([line[0] for line in lines])
        amount = _cents(np.array([line[1] for line in lines]) * 100)
        day = _i64([line[2] for line in lines])
        day = np.where(day < 0, rng.integers(first_day, last_day + 1, len(lines)), day)
        order = np.argsort(day, kind="stable")
        self._append(
            "costs",
            {
                "cost_id": _a_id(self._numbers("costs", len(lines))),
                "incurred_on": _a_date(day[order]),
                "amount": _a_money(amount[order]),
                "category": _a_cat(category[order], COST_CATEGORIES),
            },
        )
