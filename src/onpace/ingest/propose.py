"""Look at a business's export files and propose a sources.yml for them to confirm or edit.

For each file it reads a sample the way the ingest will (same encoding, delimiter
and header handling), then guesses:

- which column plays which part, from the column's name (in English, Dutch,
  German, French and Spanish exports) and its values (dates, numbers);
- the date format (day-first or month-first, with or without time) and the
  number format (``1.234,56`` gives ``decimal: ","``);
- which entity the file holds, by the columns it matched (orders, quotes,
  invoices, customers, ...);
- and the entities that follow from it: one order per invoice when the file has
  order *lines* (a repeated order number with quantity and price), returns from
  cancellation invoices (numbers starting with "C"), customers from a customer
  column, salespeople from an owner column, and a status map for CRM stages.

The result is YAML with comments saying what was guessed and what was left out;
nothing is loaded until the user runs ``onpace ingest``.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from onpace.errors import IngestError
from onpace.ingest.readers import Reader
from onpace.ingest.source_spec import Source
from onpace.model.entities import ENTITIES

SAMPLE_ROWS = 2000

# entity -> column -> names (normalized: lower case, letters and digits only)
SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "orders": {
        "order_id": (
            "orderid",
            "order",
            "ordernumber",
            "orderno",
            "ordernr",
            "invoice",
            "invoiceno",
            "invoicenumber",
            "bestelling",
            "bestelnummer",
            "auftrag",
            "auftragsnummer",
            "commande",
            "pedido",
            "transactionid",
        ),
        "ordered_at": (
            "orderdate",
            "ordered",
            "orderedat",
            "date",
            "invoicedate",
            "createdat",
            "created",
            "datum",
            "besteldatum",
            "auftragsdatum",
            "fecha",
            "timestamp",
        ),
        "amount": (
            "amount",
            "total",
            "ordertotal",
            "net",
            "netamount",
            "subtotal",
            "revenue",
            "value",
            "betrag",
            "bedrag",
            "montant",
            "importe",
            "totalamount",
        ),
        "customer_id": (
            "customerid",
            "customer",
            "client",
            "clientid",
            "klant",
            "klantnummer",
            "kunde",
            "kundennummer",
            "buyer",
            "email",
            "customeremail",
        ),
        "quantity": ("quantity", "qty", "units", "aantal", "menge", "anzahl", "cantidad"),
        "status": ("status", "orderstatus", "state"),
        "channel": ("channel", "saleschannel", "kanaal", "kanal"),
        "currency": ("currency", "valuta", "wahrung", "devise", "moneda"),
        "rep_id": ("salesrep", "rep", "salesperson", "owner", "seller", "verkoper"),
        "cost": ("cost", "cogs", "costprice", "kosten"),
        "campaign": ("campaign", "utmcampaign", "campagne"),
    },
    "quotes": {
        "quote_id": (
            "dealid",
            "deal",
            "opportunityid",
            "opportunity",
            "quoteid",
            "quote",
            "offerte",
            "offertenummer",
            "angebot",
            "devis",
            "presupuesto",
            "id",
        ),
        "submitted_at": (
            "createddate",
            "created",
            "createdat",
            "submitted",
            "sent",
            "datesent",
            "quotedate",
            "offertedatum",
            "date",
        ),
        "status": ("stage", "dealstage", "status", "fase", "phase", "etat"),
        "decided_at": ("closedate", "closed", "closedat", "decided", "wondate", "decisiondate"),
        "amount": ("amount", "dealvalue", "value", "dealamount", "bedrag", "betrag", "montant"),
        "customer_id": (
            "account",
            "accountid",
            "accountname",
            "company",
            "customer",
            "client",
            "organization",
            "klant",
        ),
        "rep_id": ("owner", "dealowner", "accountowner", "salesrep", "rep", "eigenaar"),
        "order_id": ("orderid", "order"),
    },
    "invoices": {
        "invoice_id": (
            "invoiceid",
            "invoice",
            "invoicenumber",
            "invoiceno",
            "factuur",
            "factuurnummer",
            "rechnung",
            "rechnungsnummer",
            "facture",
            "factura",
        ),
        "issued_at": (
            "invoicedate",
            "issued",
            "issuedate",
            "date",
            "factuurdatum",
            "rechnungsdatum",
            "documentdate",
        ),
        "amount": ("amount", "total", "invoicetotal", "net", "netamount", "bedrag", "betrag"),
        "due_at": ("duedate", "due", "vervaldatum", "faelligkeit", "faelligam"),
        "customer_id": ("customer", "customerid", "debtor", "debiteur", "client", "kunde"),
        "paid_amount": ("paid", "amountpaid", "paidamount", "betaald", "bezahlt"),
        "paid_at": ("paiddate", "paymentdate", "paidon", "paidat", "betaaldatum"),
        "order_id": ("orderid", "order", "reference"),
        "written_off": ("writtenoff", "baddebt", "afgeschreven"),
    },
    "customers": {
        "customer_id": ("customerid", "customer", "id", "klantnummer", "kundennummer", "clientid"),
        "name": ("name", "customername", "company", "naam", "firma"),
        "first_seen_at": ("created", "createdat", "since", "firstseen", "signupdate", "registered"),
        "segment": ("segment", "type", "customertype"),
        "region": ("region", "regio"),
        "country": ("country", "land", "pays", "pais"),
    },
    "returns": {
        "return_id": ("returnid", "return", "rma", "retour", "retourenummer"),
        "returned_at": ("returndate", "returned", "returnedat", "date", "retourdatum"),
        "order_id": ("orderid", "order"),
        "amount": ("refund", "amount", "refundamount"),
        "reason": ("reason", "returnreason", "reden"),
    },
}
DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%d-%m-%Y %H:%M:%S",
    "%d-%m-%Y %H:%M",
    "%d-%m-%Y",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%m/%d/%Y %H:%M:%S",
    "%m/%d/%Y %H:%M",
    "%m/%d/%Y",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y",
    "%Y/%m/%d",
    "%m/%d/%y",
    "%d/%m/%y",
)
_NUMBER_DOT = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")
_NUMBER_COMMA = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$")


@dataclass
class ColumnFacts:
    """What the sample says about one column."""

    name: str
    values: list[str]
    date_format: str | None = None
    iso_datetime: bool = False
    number: str | None = None  # "." or "," decimal
    distinct: int = 0

    @property
    def is_date(self) -> bool:
        return self.date_format is not None or self.iso_datetime


@dataclass
class Proposal:
    """A proposed source: its YAML mapping and the notes for the user."""

    name: str
    entity: str
    source: dict[str, Any]
    notes: list[str] = field(default_factory=list)


def normalize(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _date_format(values: list[str]) -> tuple[str | None, bool]:
    if not values:
        return None, False
    iso = re.compile(
        r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?"
        r"\s*(Z|[+-]\d{2}(:?\d{2})?)?$"
    )
    if all(iso.match(v) for v in values) and any(
        re.search(r"(Z|[+-]\d{2}:?\d{2})$", v) or "T" in v for v in values
    ):
        return None, True
    for fmt in DATE_FORMATS:
        try:
            for v in values:
                datetime.strptime(v, fmt)
        except ValueError:
            continue
        return fmt, False
    return None, False


def _number_kind(values: list[str]) -> str | None:
    if not values:
        return None
    cleaned = [re.sub(r"[\s€$£]", "", v) for v in values]
    dot = all(_NUMBER_DOT.match(v) for v in cleaned)
    comma = all(_NUMBER_COMMA.match(v) for v in cleaned)
    if dot and comma:
        return "."  # plain integers: either reading works
    if comma and any("," in v for v in cleaned):
        return ","
    return "." if dot else None


def facts(columns: list[str], rows: list[tuple[Any, ...]]) -> list[ColumnFacts]:
    out = []
    for i, name in enumerate(columns):
        values = [str(r[i]).strip() for r in rows if r[i] is not None and str(r[i]).strip()]
        f = ColumnFacts(name, values[:SAMPLE_ROWS], distinct=len(set(values)))
        f.date_format, f.iso_datetime = _date_format(values[:200])
        if not f.is_date:
            f.number = _number_kind(values[:500])
        out.append(f)
    return out


def _kind_fits(kind: str, f: ColumnFacts) -> bool:
    if kind in ("timestamp", "date"):
        return f.is_date
    if kind in ("money", "number", "integer"):
        return f.number is not None
    return True


def _match(entity: str, cols: list[ColumnFacts]) -> dict[str, ColumnFacts]:
    """Entity column -> source column, each source column used once, best names first."""
    chosen: dict[str, ColumnFacts] = {}
    used: set[str] = set()
    ent = ENTITIES[entity]
    for target, names in SYNONYMS[entity].items():
        kind = ent.column(target).kind  # type: ignore[union-attr]
        best: tuple[int, ColumnFacts] | None = None
        for f in cols:
            if f.name in used or not _kind_fits(kind, f):
                continue
            norm = normalize(f.name)
            if norm in names:
                rank = names.index(norm)
            elif any(n in norm for n in names if len(n) > 3):
                rank = 100
            else:
                continue
            if best is None or rank < best[0]:
                best = (rank, f)
        if best is not None:
            chosen[target] = best[1]
            used.add(best[1].name)
    return chosen


def _score(entity: str, matched: dict[str, ColumnFacts], computed: set[str]) -> float:
    """Required columns found count most; a file lacking one fits that entity badly."""
    ent = ENTITIES[entity]
    required = ent.required_columns
    have = sum(1 for c in required if c in matched or c in computed)
    return have * 10 + len(matched) - (0 if have == len(required) else 100)


def _column(f: ColumnFacts, **extra: Any) -> Any:
    spec: dict[str, Any] = {"from": f.name}
    if f.date_format:
        spec["format"] = f.date_format
    spec.update(extra)
    return spec if len(spec) > 1 else f.name


def _status_map(values: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for v in sorted(set(values)):
        low = v.lower()
        if any(w in low for w in ("won", "gewonnen", "gagn", "ganad", "closed won")):
            out[v] = "won"
        elif any(w in low for w in ("lost", "verloren", "perdu", "perdid")):
            out[v] = "lost"
        else:
            out[v] = "open"
    return out


def propose_file(path: Path, name: str, workspace_root: Path, con: Any, workdir: Path) -> Proposal:
    """Read a sample of ``path`` and propose a source for it."""
    probe = Source.model_validate(
        {"file": str(path.resolve()), "entities": {"orders": {"columns": {"order_id": "x"}}}}
    )
    raw = Reader(con, path.parent, workdir).read(name, probe, {})
    rows = con.execute(f"SELECT * FROM {raw.view} LIMIT {SAMPLE_ROWS}").fetchall()
    cols = facts(raw.columns, [r[: len(raw.columns)] for r in rows])
    qty = _find(cols, ("quantity", "qty", "aantal", "menge", "anzahl", "cantidad"))
    price = _find(cols, ("price", "unitprice", "prijs", "stuksprijs", "preis", "prix", "precio"))
    candidates = {e: _match(e, cols) for e in SYNONYMS}
    # quantity x price gives the amount of order lines
    computed = {"amount"} if qty is not None and price is not None else set()
    entity = max(
        candidates, key=lambda e: _score(e, candidates[e], computed if e == "orders" else set())
    )
    matched = candidates[entity]
    try:
        shown = str(path.resolve().relative_to(workspace_root.resolve()))
    except ValueError:
        shown = str(path.resolve())
    source: dict[str, Any] = {"file": shown}
    decimals = {f.number for f in matched.values() if f.number}
    if "," in decimals:
        source["decimal"] = ","
    notes = [f"{shown}: {len(rows):,} sample rows, columns {', '.join(raw.columns)}"]
    ent = ENTITIES[entity]
    entities: dict[str, Any] = {}
    key_col = matched.get(ent.key)
    lines = key_col is not None and key_col.distinct < len(key_col.values)
    columns: dict[str, Any] = {}
    for target, f in matched.items():
        columns[target] = _column(f)
    mapping: dict[str, Any] = {}
    cancel = None
    if entity == "orders" and key_col is not None:
        prefixed = [v for v in key_col.values if re.match(r"^[A-Za-z]\d", v)]
        if prefixed and len(prefixed) < len(key_col.values) / 2:
            cancel = prefixed[0][0]
            mapping["where"] = f"{_quoted(key_col.name)} not like '{cancel}%'"
    if lines and entity == "orders" and key_col is not None:
        mapping["group_by"] = ent.key
        if qty is not None and price is not None:
            columns["amount"] = {
                "expr": f"{_quoted(qty.name)} * {_quoted(price.name)}",
                "agg": "sum",
            }
            columns["quantity"] = {"from": qty.name, "agg": "sum"}
            notes.append(
                f"one row per order line: orders group the lines by "
                f"{key_col.name} and add up {qty.name} x {price.name}"
            )
        for target in ("ordered_at",):
            if target in columns:
                spec = columns[target]
                columns[target] = {
                    **(spec if isinstance(spec, dict) else {"from": spec}),
                    "agg": "min",
                }
    if entity == "quotes" and "status" in matched:
        columns["status"] = {
            "from": matched["status"].name,
            "map": _status_map(matched["status"].values),
        }
        notes.append("status: CRM stages mapped to won/lost/open; check the map")
    mapping["columns"] = columns
    entities[entity] = mapping
    missing = [c for c in ent.required_columns if c not in columns]
    if missing:
        notes.append(f"could not tell which column is {', '.join(missing)}: add them")
    if cancel and key_col is not None:
        when = matched.get("ordered_at")
        ret_cols: dict[str, Any] = {"return_id": key_col.name, "kind": {"default": "return"}}
        if when is not None:
            ret_cols["returned_at"] = {
                **({"from": when.name}),
                **({"format": when.date_format} if when.date_format else {}),
                "agg": "min",
            }
        if qty is not None and price is not None:
            ret_cols["amount"] = {
                "expr": f"-({_quoted(qty.name)} * {_quoted(price.name)})",
                "agg": "sum",
            }
        entities["returns"] = {
            "where": f"{_quoted(key_col.name)} like '{cancel}%'",
            "group_by": "return_id",
            "columns": ret_cols,
        }
        notes.append(
            f"numbers starting with {cancel!r} look like cancellations: they become returns"
        )
    cust = matched.get("customer_id")
    if entity in ("orders", "invoices", "quotes") and cust is not None:
        cust_cols: dict[str, Any] = {"customer_id": cust.name}
        when = matched.get("ordered_at") or matched.get("issued_at") or matched.get("submitted_at")
        if when is not None:
            cust_cols["first_seen_at"] = {
                "from": when.name,
                **({"format": when.date_format} if when.date_format else {}),
                "agg": "min",
            }
        country = _find(cols, ("country", "land", "pays", "pais"))
        if country is not None:
            cust_cols["country"] = country.name
        where = f"{_quoted(cust.name)} is not null"
        if cancel and key_col is not None:
            where += f" and {_quoted(key_col.name)} not like '{cancel}%'"
        entities["customers"] = {"where": where, "group_by": "customer_id", "columns": cust_cols}
        notes.append(f"customers: one per {cust.name}")
    rep = matched.get("rep_id")
    if rep is not None:
        entities["salespeople"] = {
            "where": f"{_quoted(rep.name)} is not null",
            "group_by": "rep_id",
            "columns": {"rep_id": rep.name, "name": rep.name},
        }
        notes.append(f"salespeople: one per {rep.name}")
    used = _used_columns(entities)
    unused = [f.name for f in cols if f.name not in used and f not in (qty, price)]
    if unused:
        notes.append(f"not used: {', '.join(unused)}")
    source["entities"] = entities
    return Proposal(name, entity, source, notes)


def _used_columns(entities: dict[str, Any]) -> set[str]:
    """Source columns named by ``from`` (or the plain shorthand) anywhere in the mappings."""
    used: set[str] = set()
    for mapping in entities.values():
        for spec in mapping["columns"].values():
            if isinstance(spec, str):
                used.add(spec)
            elif "from" in spec:
                used.add(spec["from"])
    return used


def _find(cols: list[ColumnFacts], names: tuple[str, ...]) -> ColumnFacts | None:
    for f in cols:
        if normalize(f.name) in names:
            return f
    return None


def _quoted(name: str) -> str:
    return (
        name if re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", name) else '"' + name.replace('"', '""') + '"'
    )


def _source_name(path: Path, taken: set[str]) -> str:
    stem = path.name.split(".")[0]
    base = re.sub(r"[^A-Za-z0-9_]+", "_", stem).strip("_").lower() or "source"
    if not base[0].isalpha():
        base = "s_" + base
    name, n = base, 2
    while name in taken:
        name, n = f"{base}_{n}", n + 1
    taken.add(name)
    return name


def propose(files: list[Path], workspace_root: Path) -> tuple[str, list[Proposal]]:
    """sources.yml text proposed for ``files``, and the proposals behind it."""
    import duckdb

    con = duckdb.connect()
    proposals = []
    taken: set[str] = set()
    try:
        with tempfile.TemporaryDirectory(prefix="onpace-propose-") as workdir:
            for path in files:
                if not path.is_file():
                    raise IngestError(f"{path} is not a file", "give the path of an export file")
                proposals.append(
                    propose_file(
                        path, _source_name(path, taken), workspace_root, con, Path(workdir)
                    )
                )
    finally:
        con.close()
    parts = [
        "# sources.yml proposed by 'onpace init --from'. Check every mapping, then run",
        "# 'onpace ingest'. Reference: docs/sources.md",
        "sources:",
    ]
    for p in proposals:
        body = yaml.safe_dump({p.name: p.source}, sort_keys=False, allow_unicode=True, width=100)
        parts.append(f"  # {p.name}: looks like {p.entity}")
        parts.extend(f"  # {n}" for n in p.notes)
        parts.extend("  " + line for line in body.rstrip().splitlines())
    return "\n".join(parts) + "\n", proposals


def write_proposal(root: Path, files: list[Path], overwrite: bool) -> tuple[Path, str]:
    """Write the proposed sources.yml into workspace ``root``; returns its path and text."""
    from onpace.ingest.source_spec import SOURCES_FILE

    target = root / SOURCES_FILE
    if target.exists() and not overwrite:
        raise IngestError(f"{target} exists already", "use --force to replace it")
    text, _ = propose(files, root)
    target.write_text(text, encoding="utf-8")
    return target, text
