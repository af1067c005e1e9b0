"""The exports of the corpus: shaped after documented export formats, with their answers.

Each function writes one business's files (a few hundred rows each) the way a
product exports them: its column names, its number and date formats, its
language, one row per order or one per line, order totals only on an order's first
line, and so on. The ``Expect`` of each export is what a person mapping it by hand
would write. None of the held-out public data sets is imitated here.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, timedelta

from tests.ingest.corpus import fake
from tests.ingest.corpus.build import Expect, Export, Scenario

Rng = random.Random
START = date(2023, 1, 1)
DAYS = 600


def _n(rng: Rng, low: int = 180, high: int = 360) -> int:
    return rng.randint(low, high)


# -- web shops ------------------------------------------------------------------------


def shopify_orders(rng: Rng) -> Scenario:
    header = [
        "Name", "Email", "Financial Status", "Paid at", "Fulfillment Status", "Currency",
        "Subtotal", "Shipping", "Taxes", "Total", "Discount Code", "Discount Amount",
        "Created at", "Lineitem quantity", "Lineitem name", "Lineitem price", "Lineitem sku",
        "Billing Name", "Billing City", "Billing Country", "Payment Method", "Id", "Source",
    ]  # fmt: skip
    rows = []
    for i in range(_n(rng, 150, 220)):
        when = fake.moment(rng, START, DAYS)
        first, last = fake.person(rng, "en")
        lines = [
            (rng.randint(1, 3), rng.choice(fake.PRODUCTS), rng.choice([9.95, 14.5, 24.0, 39.99]))
            for _ in range(rng.randint(1, 3))
        ]
        subtotal = sum(q * p for q, _, p in lines)
        status = fake.pick_weighted(rng, [("paid", 90), ("refunded", 6), ("pending", 4)])
        stamp = when.strftime("%Y-%m-%d %H:%M:%S") + " +0100"
        city, country = rng.choice(fake.CITIES["en"])
        for j, (q, name, price) in enumerate(lines):
            order_level = j == 0
            rows.append([
                f"#{1001 + i}",
                fake.email(first, last, i) if order_level else "",
                status if order_level else "",
                stamp if order_level and status == "paid" else "",
                "fulfilled" if order_level else "",
                "USD" if order_level else "",
                fake.money(subtotal) if order_level else "",
                "4.95" if order_level else "",
                fake.money(subtotal * 0.08) if order_level else "",
                fake.money(subtotal * 1.08 + 4.95) if order_level else "",
                "", "0.00" if order_level else "",
                stamp,
                str(q), name, fake.money(price), f"SKU-{sum(map(ord, name)) % 900 + 100}",
                f"{first} {last}" if order_level else "", city if order_level else "",
                country if order_level else "", "Shopify Payments" if order_level else "",
                str(4480000000 + i) if order_level else "", "web" if order_level else "",
            ])  # fmt: skip
    return Scenario(
        "shopify", "Shopify orders export (one row per line item)", "en",
        [Export("orders_export_1.csv", header, rows, Expect("orders", "Name", "Created at", "Subtotal"))],
    )  # fmt: skip


def woocommerce_orders(rng: Rng) -> Scenario:
    header = [
        "Order Number", "Order Status", "Order Date", "Customer Note", "First Name (Billing)",
        "Last Name (Billing)", "Email (Billing)", "Country Code (Billing)", "Payment Method Title",
        "Cart Discount Amount", "Order Subtotal Amount", "Shipping Method Title",
        "Order Shipping Amount", "Order Total Amount", "Order Total Tax Amount",
    ]  # fmt: skip
    rows = []
    for i in range(_n(rng)):
        first, last = fake.person(rng, "en")
        sub = rng.uniform(15, 400)
        rows.append([
            str(2300 + i), fake.pick_weighted(rng, [("Completed", 80), ("Processing", 10), ("Cancelled", 6), ("Refunded", 4)]),
            fake.moment(rng, START, DAYS).strftime("%Y-%m-%d %H:%M"), "", first, last,
            fake.email(first, last, i), rng.choice(["US", "GB", "CA"]), "Credit Card (Stripe)",
            "0", fake.money(sub), "Flat rate", "5.00", fake.money(sub * 1.2 + 5), fake.money(sub * 0.2),
        ])  # fmt: skip
    return Scenario(
        "woocommerce", "WooCommerce order export (Order Export plugin)", "en",
        [Export("woocommerce-orders.csv", header, rows, Expect("orders", "Order Number", "Order Date", "Order Subtotal Amount"))],
    )  # fmt: skip


def magento_orders(rng: Rng) -> Scenario:
    header = [
        "ID", "Purchase Point", "Purchase Date", "Bill-to Name", "Ship-to Name",
        "Grand Total (Base)", "Grand Total (Purchased)", "Status", "Customer Email",
        "Customer Group", "Subtotal", "Shipping and Handling", "Payment Method", "Total Refunded",
    ]  # fmt: skip
    rows = []
    for i in range(_n(rng)):
        first, last = fake.person(rng, "en")
        sub = rng.uniform(20, 900)
        rows.append([
            f"{100000120 + i:09d}", "Main Website Store", fake.moment(rng, START, DAYS).strftime("%b %d, %Y %I:%M:%S %p"),
            f"{first} {last}", f"{first} {last}", fake.money(sub * 1.21, "en,"), fake.money(sub * 1.21, "en,"),
            fake.pick_weighted(rng, [("complete", 85), ("canceled", 7), ("closed", 8)]), fake.email(first, last, i),
            rng.choice(["General", "Wholesale", "NOT LOGGED IN"]), fake.money(sub, "en,"), "10.00", "Check / Money order", "",
        ])  # fmt: skip
    return Scenario(
        "magento", "Magento 2 sales order grid export", "en",
        [Export("export.csv", header, rows, Expect("orders", "ID", "Purchase Date", "Subtotal"))],
    )  # fmt: skip


def amazon_orders(rng: Rng) -> Scenario:
    header = [
        "amazon-order-id", "merchant-order-id", "purchase-date", "last-updated-date", "order-status",
        "fulfillment-channel", "sales-channel", "ship-service-level", "product-name", "sku", "asin",
        "item-status", "quantity", "currency", "item-price", "item-tax", "shipping-price",
        "item-promotion-discount", "ship-city", "ship-state", "ship-postal-code", "ship-country",
    ]  # fmt: skip
    rows = []
    for _ in range(_n(rng, 160, 240)):
        oid = f"{rng.randint(100, 999)}-{rng.randint(1000000, 9999999)}-{rng.randint(1000000, 9999999)}"
        when = fake.moment(rng, START, DAYS)
        status = fake.pick_weighted(rng, [("Shipped", 88), ("Cancelled", 7), ("Pending", 5)])
        for _ in range(rng.choice([1, 1, 1, 2, 3])):
            q = rng.randint(1, 3)
            price = rng.choice([12.99, 19.99, 34.5, 49.0])
            rows.append([
                oid, "", when.strftime("%Y-%m-%dT%H:%M:%S+00:00"), fake.later(rng, when, 1, 4).strftime("%Y-%m-%dT%H:%M:%S+00:00"),
                status, "Amazon", "Amazon.com", "Standard", rng.choice(fake.PRODUCTS), f"SK{rng.randint(1000, 9999)}",
                f"B0{fake.code(rng, 8, '0123456789ABCDEFGHJKLMNPQRSTUVWXYZ')}", "Shipped", str(q), "USD",
                fake.money(q * price), fake.money(q * price * 0.07), "0.00", "0.00", "Seattle", "WA", "98101", "US",
            ])  # fmt: skip
    return Scenario(
        "amazon", "Amazon Seller Central all-orders report (tab separated)", "en",
        [Export("All Orders Report.txt", header, rows, Expect("orders", "amazon-order-id", "purchase-date", "item-price"), delimiter="\t")],
    )  # fmt: skip


def etsy_orders(rng: Rng) -> Scenario:
    header = [
        "Sale Date", "Order ID", "Buyer User ID", "Full Name", "Number of Items", "Payment Method",
        "Date Shipped", "Ship City", "Ship Country", "Currency", "Order Value", "Coupon Code",
        "Discount Amount", "Shipping", "Sales Tax", "Order Total", "Status", "Card Processing Fees",
        "Order Net", "Buyer",
    ]  # fmt: skip
    rows = []
    for i in range(_n(rng)):
        when = fake.moment(rng, START, DAYS)
        first, last = fake.person(rng, "en")
        value = rng.uniform(10, 150)
        rows.append([
            when.strftime("%m/%d/%y"), str(2900000000 + i * 37), f"{first.lower()}{i}", f"{first} {last}",
            str(rng.randint(1, 4)), "Etsy Payments", fake.later(rng, when, 1, 5).strftime("%m/%d/%y"),
            rng.choice(["Portland", "Denver", "Boston"]), "United States", "USD", fake.money(value), "", "0",
            "4.50", fake.money(value * 0.06), fake.money(value * 1.06 + 4.5), "Completed",
            fake.money(value * 0.03 + 0.25), fake.money(value * 0.97), f"{first.lower()}{i}",
        ])  # fmt: skip
    return Scenario(
        "etsy", "Etsy shop 'Orders' CSV download", "en",
        [Export("EtsySoldOrders2024.csv", header, rows, Expect("orders", "Order ID", "Sale Date", "Order Value"))],
    )  # fmt: skip


def dutch_webshop(rng: Rng) -> Scenario:
    header = [
        "Bestelnummer",
        "Besteldatum",
        "Klant e-mail",
        "Status",
        "Subtotaal",
        "Verzendkosten",
        "BTW",
        "Totaal",
        "Betaalmethode",
        "Land",
    ]
    rows = []
    for i in range(_n(rng)):
        first, last = fake.person(rng, "nl")
        sub = rng.uniform(12, 600)
        rows.append([
            f"ORD{20240001 + i}", fake.moment(rng, START, DAYS).strftime("%d-%m-%Y %H:%M"), fake.email(first, last, i % 140, "voorbeeld.nl"),
            fake.pick_weighted(rng, [("Verzonden", 80), ("Betaald", 10), ("Geannuleerd", 10)]),
            fake.money(sub, "eu"), "4,95", fake.money(sub * 0.21, "eu"), fake.money(sub * 1.21 + 4.95, "eu"),
            rng.choice(["iDEAL", "Bancontact", "Creditcard"]), rng.choice(["Nederland", "België"]),
        ])  # fmt: skip
    return Scenario(
        "lightspeed_nl", "Lightspeed eCom order export, Dutch shop", "nl",
        [Export("bestellingen.csv", header, rows, Expect("orders", "Bestelnummer", "Besteldatum", "Subtotaal"), delimiter=";")],
    )  # fmt: skip


def shopware_orders(rng: Rng) -> Scenario:
    header = [
        "Bestellnummer",
        "Bestelldatum",
        "Kundennummer",
        "Status",
        "Zahlungsstatus",
        "Versandart",
        "Zahlungsart",
        "Warenwert netto",
        "Versandkosten",
        "Gesamtbetrag brutto",
        "Währung",
    ]
    rows = []
    for i in range(_n(rng)):
        net = rng.uniform(20, 1500)
        rows.append([
            str(10000 + i), fake.moment(rng, START, DAYS).strftime("%d.%m.%Y %H:%M"), f"K{rng.randint(1000, 1199)}",
            fake.pick_weighted(rng, [("Abgeschlossen", 85), ("Offen", 8), ("Storniert", 7)]), rng.choice(["Bezahlt", "Offen"]),
            "DHL Paket", rng.choice(["PayPal", "Rechnung", "Kreditkarte"]), fake.money(net, "eu"), "4,90",
            fake.money(net * 1.19 + 4.9, "eu"), "EUR",
        ])  # fmt: skip
    return Scenario(
        "shopware", "Shopware 6 order export, German shop", "de",
        [Export("bestellungen_export.csv", header, rows, Expect("orders", "Bestellnummer", "Bestelldatum", "Warenwert netto"), delimiter=";")],
    )  # fmt: skip


def prestashop_orders(rng: Rng) -> Scenario:
    header = [
        "ID",
        "Referencia",
        "Nuevo cliente",
        "Entrega",
        "Cliente",
        "Total",
        "Pago",
        "Estado",
        "Fecha",
    ]
    rows = []
    for i in range(_n(rng)):
        first, last = fake.person(rng, "es")
        rows.append([
            str(300 + i), fake.code(rng, 9, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"), rng.choice(["Sí", "No"]), "España",
            f"{first[0]}. {last}", fake.money(rng.uniform(10, 700), "eu-plain") + " €", rng.choice(["Transferencia bancaria", "Tarjeta"]),
            fake.pick_weighted(rng, [("Entregado", 75), ("Enviado", 15), ("Cancelado", 10)]),
            fake.moment(rng, START, DAYS).strftime("%d/%m/%Y %H:%M:%S"),
        ])  # fmt: skip
    return Scenario(
        "prestashop", "PrestaShop back office order list export", "es",
        [Export("pedidos.csv", header, rows, Expect("orders", "ID", "Fecha", "Total"), delimiter=";")],
    )  # fmt: skip


def french_invoice_lines(rng: Rng) -> Scenario:
    header = [
        "N° facture",
        "Date facture",
        "Code client",
        "Référence article",
        "Désignation",
        "Quantité",
        "Prix unitaire HT",
        "Montant HT",
    ]
    rows = []
    for i in range(_n(rng, 120, 180)):
        when = fake.moment(rng, START, DAYS).strftime("%d/%m/%Y")
        client = f"CL{rng.randint(100, 180):04d}"
        for _ in range(rng.randint(1, 4)):
            q = rng.randint(1, 12)
            price = rng.choice([4.5, 12.0, 27.9, 89.0])
            rows.append(
                [
                    f"FA{23000 + i}",
                    when,
                    client,
                    f"ART-{rng.randint(100, 160)}",
                    rng.choice(fake.PRODUCTS),
                    str(q),
                    fake.money(price, "eu-plain"),
                    fake.money(q * price, "eu-plain"),
                ]
            )
    return Scenario(
        "sage_fr", "Sage 50 (France) sales ledger lines export", "fr",
        [Export("lignes_factures.csv", header, rows, Expect("orders", "N° facture", "Date facture", "Montant HT"), delimiter=";")],
    )  # fmt: skip


# -- payment providers -----------------------------------------------------------------


def stripe_payments(rng: Rng) -> Scenario:
    header = [
        "id", "Created (UTC)", "Amount", "Amount Refunded", "Currency", "Captured", "Converted Amount",
        "Converted Currency", "Fee", "Description", "Status", "Customer ID", "Customer Email", "Card Brand",
    ]  # fmt: skip
    rows = []
    customers = ["cus_" + fake.code(rng, 14) for _ in range(90)]
    for i in range(_n(rng)):
        amount = rng.uniform(5, 500)
        c = rng.randrange(len(customers))
        first, last = fake.person(random.Random(c), "en")
        status = fake.pick_weighted(rng, [("Paid", 90), ("Refunded", 5), ("Failed", 5)])
        rows.append([
            "ch_" + fake.code(rng, 24), fake.moment(rng, START, DAYS).strftime("%Y-%m-%d %H:%M"), fake.money(amount),
            fake.money(amount) if status == "Refunded" else "0.00", "eur", "true" if status != "Failed" else "false",
            fake.money(amount * 1.08), "usd", fake.money(amount * 0.014 + 0.25), f"Invoice {1000 + i}", status,
            customers[c], fake.email(first, last, c), rng.choice(["Visa", "MasterCard", "American Express"]),
        ])  # fmt: skip
    return Scenario(
        "stripe", "Stripe dashboard payments export (unified_payments.csv)", "en",
        [Export("unified_payments.csv", header, rows, Expect("orders", "id", "Created (UTC)", "Amount"))],
    )  # fmt: skip


def paypal_activity(rng: Rng) -> Scenario:
    header = [
        "Date", "Time", "TimeZone", "Name", "Type", "Status", "Currency", "Gross", "Fee", "Net",
        "From Email Address", "To Email Address", "Transaction ID", "Item Title", "Reference Txn ID", "Balance",
    ]  # fmt: skip
    rows = []
    balance = 1000.0
    for i in range(_n(rng)):
        when = fake.moment(rng, START, DAYS)
        gross = rng.uniform(8, 300)
        fee = gross * 0.029 + 0.3
        balance += gross - fee
        first, last = fake.person(rng, "en")
        rows.append([
            when.strftime("%m/%d/%Y"), when.strftime("%H:%M:%S"), "PST", f"{first} {last}", "Express Checkout Payment",
            fake.pick_weighted(rng, [("Completed", 92), ("Refunded", 5), ("Pending", 3)]), "USD",
            fake.money(gross, "en,"), fake.money(-fee, "en,"), fake.money(gross - fee, "en,"), fake.email(first, last, i),
            "shop@example.com", fake.code(rng, 17, "0123456789ABCDEFGHJKLMNPRSTUVWXY"), rng.choice(fake.PRODUCTS), "", fake.money(balance, "en,"),
        ])  # fmt: skip
    return Scenario(
        "paypal", "PayPal activity download (all transactions, CSV)", "en",
        [Export("Download.CSV", header, rows, Expect("orders", "Transaction ID", "Date", "Gross"))],
    )  # fmt: skip


def mollie_payments(rng: Rng) -> Scenario:
    header = [
        "ID",
        "Datum",
        "Status",
        "Bedrag",
        "Valuta",
        "Betaalmethode",
        "Omschrijving",
        "Klantnaam",
        "E-mailadres",
        "Land",
        "Terugbetaald bedrag",
    ]
    rows = []
    for i in range(_n(rng)):
        first, last = fake.person(rng, "nl")
        amount = rng.uniform(5, 1200)
        status = fake.pick_weighted(
            rng, [("betaald", 85), ("verlopen", 8), ("geannuleerd", 4), ("mislukt", 3)]
        )
        rows.append([
            "tr_" + fake.code(rng, 10), fake.moment(rng, START, DAYS).strftime("%d-%m-%Y %H:%M"), status, fake.money(amount, "eu"),
            "EUR", rng.choice(["iDEAL", "Bancontact", "Creditcard", "Klarna"]), f"Bestelling {5000 + i}", f"{first} {last}",
            fake.email(first, last, i, "voorbeeld.nl"), "NL", "0,00",
        ])  # fmt: skip
    return Scenario(
        "mollie", "Mollie dashboard payments export, Dutch", "nl",
        [Export("betalingen-export.csv", header, rows, Expect("orders", "ID", "Datum", "Bedrag"), delimiter=";")],
    )  # fmt: skip


# -- CRMs ----------------------------------------------------------------------------


def hubspot(rng: Rng) -> Scenario:
    companies = [fake.company(rng, "en", i) for i in range(60)]
    stages = [
        ("Appointment scheduled", 10),
        ("Qualified to buy", 10),
        ("Presentation scheduled", 8),
        ("Decision maker bought-in", 6),
        ("Contract sent", 6),
        ("Closed won", 30),
        ("Closed lost", 30),
    ]
    deals_h = [
        "Record ID",
        "Deal Name",
        "Deal Stage",
        "Close Date",
        "Deal owner",
        "Amount",
        "Create Date",
        "Pipeline",
        "Deal Type",
        "Associated Company",
        "Last Activity Date",
    ]
    owners = [" ".join(fake.person(rng, "en")) for _ in range(6)]
    deals = []
    for i in range(_n(rng)):
        created = fake.moment(rng, START, DAYS)
        stage = fake.pick_weighted(rng, stages)
        closed = fake.later(rng, created, 5, 90)
        deals.append([
            str(9000000000 + i * 13), f"{rng.choice(companies)} - new deal", stage, closed.strftime("%Y-%m-%d %H:%M"),
            rng.choice(owners), fake.money(rng.uniform(1000, 40000)), created.strftime("%Y-%m-%d %H:%M"), "Sales Pipeline",
            rng.choice(["newbusiness", "existingbusiness"]), rng.choice(companies), fake.later(rng, created, 1, 30).strftime("%Y-%m-%d %H:%M"),
        ])  # fmt: skip
    comp_h = [
        "Record ID",
        "Company name",
        "Industry",
        "Country/Region",
        "City",
        "Create Date",
        "Company owner",
        "Number of Employees",
    ]
    comps = []
    for i, name in enumerate(companies):
        city, country = rng.choice(fake.CITIES["en"])
        comps.append(
            [
                str(5000000000 + i * 7),
                name,
                rng.choice(["COMPUTER_SOFTWARE", "RETAIL", "CONSTRUCTION"]),
                country,
                city,
                fake.moment(rng, date(2021, 1, 1), 700).strftime("%Y-%m-%d %H:%M"),
                rng.choice(owners),
                str(rng.randint(5, 900)),
            ]
        )
    return Scenario(
        "hubspot", "HubSpot CRM deals and companies exports", "en",
        [
            Export("hubspot-crm-exports-all-deals.csv", deals_h, deals, Expect("quotes", "Record ID", "Create Date", "Amount", {"Associated Company": "hubspot-crm-exports-all-companies.csv"})),
            Export("hubspot-crm-exports-all-companies.csv", comp_h, comps, Expect("customers", "Record ID")),
        ],
    )  # fmt: skip


def salesforce(rng: Rng) -> Scenario:
    accounts = [
        (
            f"0015g00000{fake.code(rng, 5, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789')}",
            fake.company(rng, "en", i),
        )
        for i in range(70)
    ]
    owners = [" ".join(fake.person(rng, "en")) for _ in range(8)]
    opp_h = [
        "Opportunity ID",
        "Opportunity Name",
        "Account Name",
        "Account ID",
        "Stage",
        "Amount",
        "Probability (%)",
        "Close Date",
        "Created Date",
        "Opportunity Owner",
        "Type",
        "Lead Source",
    ]
    opps = []
    for _ in range(_n(rng)):
        acc = rng.choice(accounts)
        created = fake.moment(rng, START, DAYS)
        stage = fake.pick_weighted(
            rng,
            [
                ("Prospecting", 10),
                ("Qualification", 10),
                ("Proposal/Price Quote", 10),
                ("Negotiation/Review", 8),
                ("Closed Won", 32),
                ("Closed Lost", 30),
            ],
        )
        opps.append([
            f"0065g00000{fake.code(rng, 8)}", f"{acc[1]} - {rng.choice(['Renewal', 'Expansion', 'New'])}", acc[1], acc[0], stage,
            fake.money(rng.uniform(2000, 90000), "en,"), str(rng.choice([10, 20, 50, 75, 100, 0])),
            fake.later(rng, created, 10, 120).strftime("%-m/%-d/%Y"), created.strftime("%-m/%-d/%Y"), rng.choice(owners),
            rng.choice(["New Business", "Existing Business"]), rng.choice(["Web", "Phone Inquiry", "Partner Referral", "Trade Show"]),
        ])  # fmt: skip
    acc_h = [
        "Account ID",
        "Account Name",
        "Industry",
        "Billing Country",
        "Account Owner",
        "Created Date",
        "Type",
    ]
    accs = [
        [
            a,
            n,
            rng.choice(["Manufacturing", "Retail", "Technology"]),
            rng.choice(["United States", "Canada"]),
            rng.choice(owners),
            fake.moment(rng, date(2020, 1, 1), 900).strftime("%-m/%-d/%Y"),
            "Customer - Direct",
        ]
        for a, n in accounts
    ]
    return Scenario(
        "salesforce", "Salesforce opportunities and accounts reports (CSV)", "en",
        [
            Export("report_opportunities.csv", opp_h, opps, Expect("quotes", "Opportunity ID", "Created Date", "Amount", {"Account ID": "report_accounts.csv"})),
            Export("report_accounts.csv", acc_h, accs, Expect("customers", "Account ID")),
        ],
    )  # fmt: skip


def pipedrive(rng: Rng) -> Scenario:
    header = [
        "Deal - ID",
        "Deal - Title",
        "Deal - Value",
        "Deal - Currency",
        "Deal - Organization",
        "Deal - Owner",
        "Deal - Stage",
        "Deal - Status",
        "Deal - Deal created",
        "Deal - Expected close date",
        "Deal - Won time",
        "Deal - Lost time",
        "Deal - Lost reason",
    ]
    owners = [" ".join(fake.person(rng, "en")) for _ in range(5)]
    rows = []
    for i in range(_n(rng)):
        created = fake.moment(rng, START, DAYS)
        status = fake.pick_weighted(rng, [("open", 30), ("won", 40), ("lost", 30)])
        done = fake.later(rng, created, 3, 60).strftime("%Y-%m-%d %H:%M:%S")
        rows.append([
            str(100 + i), f"Deal {i}", str(rng.randint(500, 25000)), "EUR", fake.company(rng, "en", rng.randint(0, 40)), rng.choice(owners),
            rng.choice(["Lead In", "Contact Made", "Demo Scheduled", "Proposal Made", "Negotiations Started"]), status,
            created.strftime("%Y-%m-%d %H:%M:%S"), fake.later(rng, created, 20, 90).strftime("%Y-%m-%d"),
            done if status == "won" else "", done if status == "lost" else "", rng.choice(["Price", "Timing", ""]) if status == "lost" else "",
        ])  # fmt: skip
    return Scenario(
        "pipedrive", "Pipedrive deals export", "en",
        [Export("deals-export.csv", header, rows, Expect("quotes", "Deal - ID", "Deal - Deal created", "Deal - Value"))],
    )  # fmt: skip


def teamleader_quotes(rng: Rng) -> Scenario:
    header = [
        "Offertenummer",
        "Datum",
        "Klant",
        "Onderwerp",
        "Bedrag excl. btw",
        "Bedrag incl. btw",
        "Status",
        "Verantwoordelijke",
        "Geldig tot",
        "Beslissingsdatum",
    ]
    owners = [" ".join(fake.person(rng, "nl")) for _ in range(4)]
    rows = []
    for i in range(_n(rng)):
        when = fake.moment(rng, START, DAYS)
        status = fake.pick_weighted(
            rng, [("Open", 25), ("Geaccepteerd", 40), ("Afgewezen", 25), ("Verlopen", 10)]
        )
        amount = rng.uniform(400, 25000)
        rows.append([
            f"OFF-{2023000 + i}", when.strftime("%d-%m-%Y"), fake.company(rng, "nl", rng.randint(0, 50)), "Installatie en onderhoud",
            fake.money(amount, "eu"), fake.money(amount * 1.21, "eu"), status, rng.choice(owners),
            fake.later(rng, when, 30, 30).strftime("%d-%m-%Y"), fake.later(rng, when, 2, 40).strftime("%d-%m-%Y") if status != "Open" else "",
        ])  # fmt: skip
    return Scenario(
        "teamleader", "Teamleader offertes export, Dutch", "nl",
        [Export("offertes.csv", header, rows, Expect("quotes", "Offertenummer", "Datum", "Bedrag excl. btw"), delimiter=";")],
    )  # fmt: skip


def french_quotes(rng: Rng) -> Scenario:
    header = [
        "N° devis",
        "Date",
        "Client",
        "Commercial",
        "Montant HT",
        "Statut",
        "Date de signature",
    ]
    reps = [" ".join(fake.person(rng, "fr")) for _ in range(5)]
    rows = []
    for i in range(_n(rng)):
        when = fake.moment(rng, START, DAYS)
        status = fake.pick_weighted(rng, [("En attente", 30), ("Signé", 40), ("Refusé", 30)])
        rows.append([
            f"D{2023}-{i + 1:04d}", when.strftime("%d/%m/%Y"), fake.company(rng, "fr", rng.randint(0, 60)), rng.choice(reps),
            fake.money(rng.uniform(300, 18000), "fr"), status, fake.later(rng, when, 3, 45).strftime("%d/%m/%Y") if status == "Signé" else "",
        ])  # fmt: skip
    return Scenario(
        "axonaut_fr", "Axonaut devis export, French", "fr",
        [Export("devis.csv", header, rows, Expect("quotes", "N° devis", "Date", "Montant HT"), delimiter=";")],
    )  # fmt: skip


def zoho_leads(rng: Rng) -> Scenario:
    header = [
        "Lead-ID",
        "Vorname",
        "Nachname",
        "Firma",
        "E-Mail",
        "Telefon",
        "Lead-Quelle",
        "Lead-Status",
        "Lead-Besitzer",
        "Erstellt am",
        "Geändert am",
        "Land",
    ]
    owners = [" ".join(fake.person(rng, "de")) for _ in range(4)]
    rows = []
    for i in range(_n(rng)):
        first, last = fake.person(rng, "de")
        when = fake.moment(rng, START, DAYS)
        rows.append([
            f"zcrm_{4876000000000 + i * 11}", first, last, fake.company(rng, "de", i), fake.email(first, last, i, "beispiel.de"),
            f"+49 30 {rng.randint(1000000, 9999999)}", rng.choice(["Webformular", "Messe", "Kaltakquise", "Empfehlung"]),
            rng.choice(["Nicht kontaktiert", "Kontaktiert", "Qualifiziert", "Verloren"]), rng.choice(owners),
            when.strftime("%d.%m.%Y %H:%M"), fake.later(rng, when, 0, 20).strftime("%d.%m.%Y %H:%M"), "Deutschland",
        ])  # fmt: skip
    return Scenario(
        "zoho_de", "Zoho CRM leads export, German", "de",
        [Export("Leads_001.csv", header, rows, Expect("leads", "Lead-ID", "Erstellt am"), delimiter=";")],
    )  # fmt: skip


def salesforce_leads(rng: Rng) -> Scenario:
    header = [
        "Lead ID",
        "First Name",
        "Last Name",
        "Company",
        "Email",
        "Lead Source",
        "Lead Status",
        "Lead Owner",
        "Created Date",
        "Converted Date",
        "Country",
        "Rating",
    ]
    owners = [" ".join(fake.person(rng, "en")) for _ in range(6)]
    rows = []
    for i in range(_n(rng)):
        first, last = fake.person(rng, "en")
        when = fake.moment(rng, START, DAYS)
        converted = rng.random() < 0.25
        rows.append([
            f"00Q5g00000{fake.code(rng, 8)}", first, last, fake.company(rng, "en", i), fake.email(first, last, i), rng.choice(["Web", "Phone Inquiry", "Trade Show", "Advertisement"]),
            "Closed - Converted" if converted else rng.choice(["Open - Not Contacted", "Working - Contacted", "Closed - Not Converted"]),
            rng.choice(owners), when.strftime("%m/%d/%Y"), fake.later(rng, when, 5, 60).strftime("%m/%d/%Y") if converted else "",
            rng.choice(["USA", "Canada", "UK"]), rng.choice(["Hot", "Warm", "Cold"]),
        ])  # fmt: skip
    return Scenario(
        "salesforce_leads", "Salesforce leads report (CSV)", "en",
        [Export("report_leads.csv", header, rows, Expect("leads", "Lead ID", "Created Date"))],
    )  # fmt: skip


def form_entries(rng: Rng) -> Scenario:
    header = [
        "Entry Id",
        "Date Created",
        "Name (First)",
        "Name (Last)",
        "Email",
        "Phone",
        "Message",
        "Source Url",
        "User Agent",
        "User IP",
    ]
    rows = []
    for i in range(_n(rng)):
        first, last = fake.person(rng, "en")
        rows.append([
            str(1200 + i), fake.moment(rng, START, DAYS).strftime("%Y-%m-%d %H:%M:%S"), first, last, fake.email(first, last, i),
            f"555-01{rng.randint(10, 99)}", "Hi, could you send me a quote for the premium plan? Thanks.", "https://example.com/contact",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64)", f"203.0.113.{rng.randint(1, 254)}",
        ])  # fmt: skip
    return Scenario(
        "gravity_forms", "Gravity Forms entries export (contact form)", "en",
        [Export("contact-form-entries.csv", header, rows, Expect("leads", "Entry Id", "Date Created"))],
    )  # fmt: skip


def call_log(rng: Rng) -> Scenario:
    header = [
        "ID llamada",
        "Fecha",
        "Hora",
        "Número de teléfono",
        "Duración (s)",
        "Agente",
        "Resultado",
        "Campaña",
    ]
    agents = [" ".join(fake.person(rng, "es")) for _ in range(5)]
    rows = []
    for i in range(_n(rng)):
        when = fake.moment(rng, START, DAYS)
        rows.append([
            f"LL-{70000 + i}", when.strftime("%d/%m/%Y"), when.strftime("%H:%M"), f"+34 6{rng.randint(10000000, 99999999)}",
            str(rng.randint(20, 900)), rng.choice(agents), rng.choice(["Interesado", "No interesado", "Volver a llamar", "Venta"]),
            rng.choice(["Primavera", "Verano", ""]),
        ])  # fmt: skip
    return Scenario(
        "aircall_es", "Aircall call log export, Spanish", "es",
        [Export("registro_llamadas.csv", header, rows, Expect("leads", "ID llamada", "Fecha"), delimiter=";")],
    )  # fmt: skip


# -- accounting ------------------------------------------------------------------------


def exact_online(rng: Rng) -> Scenario:
    debtors = [(str(20000 + i), fake.company(rng, "nl", i)) for i in range(80)]
    inv_h = [
        "Factuurnummer",
        "Factuurdatum",
        "Vervaldatum",
        "Debiteurnummer",
        "Debiteur",
        "Omschrijving",
        "Bedrag excl. BTW",
        "BTW",
        "Bedrag incl. BTW",
        "Openstaand",
        "Valuta",
    ]
    invs = []
    for i in range(_n(rng)):
        d = rng.choice(debtors)
        when = fake.moment(rng, START, DAYS)
        net = rng.uniform(50, 9000)
        open_ = 0.0 if rng.random() < 0.7 else net * 1.21
        invs.append(
            [
                str(23100001 + i),
                when.strftime("%d-%m-%Y"),
                fake.later(rng, when, 30, 30).strftime("%d-%m-%Y"),
                d[0],
                d[1],
                "Levering volgens order",
                fake.money(net, "eu"),
                fake.money(net * 0.21, "eu"),
                fake.money(net * 1.21, "eu"),
                fake.money(open_, "eu"),
                "EUR",
            ]
        )
    deb_h = [
        "Debiteurnummer",
        "Naam",
        "Adres",
        "Postcode",
        "Plaats",
        "Land",
        "Btw-nummer",
        "Aangemaakt",
    ]
    debs = []
    for code_, name in debtors:
        city, country = rng.choice(fake.CITIES["nl"])
        debs.append(
            [
                code_,
                name,
                f"Dorpsstraat {rng.randint(1, 200)}",
                f"{rng.randint(1000, 9999)} AB",
                city,
                country,
                f"NL{rng.randint(100000000, 999999999)}B01",
                fake.moment(rng, date(2020, 1, 1), 900).strftime("%d-%m-%Y"),
            ]
        )
    return Scenario(
        "exact_online", "Exact Online verkoopfacturen and debiteuren exports", "nl",
        [
            Export("Verkoopfacturen.csv", inv_h, invs, Expect("invoices", "Factuurnummer", "Factuurdatum", "Bedrag excl. BTW", {"Debiteurnummer": "Debiteuren.csv"}), delimiter=";"),
            Export("Debiteuren.csv", deb_h, debs, Expect("customers", "Debiteurnummer"), delimiter=";"),
        ],
    )  # fmt: skip


def datev(rng: Rng) -> Scenario:
    customers = [(str(10000 + i), fake.company(rng, "de", i)) for i in range(70)]
    inv_h = [
        "Rechnungsnummer",
        "Rechnungsdatum",
        "Fälligkeitsdatum",
        "Kundennummer",
        "Kunde",
        "Nettobetrag",
        "USt.",
        "Bruttobetrag",
        "Bezahlt am",
        "Zahlbetrag",
        "Status",
    ]
    invs = []
    for i in range(_n(rng)):
        c = rng.choice(customers)
        when = fake.moment(rng, START, DAYS)
        net = rng.uniform(80, 12000)
        paid = rng.random() < 0.75
        invs.append(
            [
                f"RE-{2023}-{i + 1:05d}",
                when.strftime("%d.%m.%Y"),
                fake.later(rng, when, 14, 14).strftime("%d.%m.%Y"),
                c[0],
                c[1],
                fake.money(net, "eu"),
                fake.money(net * 0.19, "eu"),
                fake.money(net * 1.19, "eu"),
                fake.later(rng, when, 3, 40).strftime("%d.%m.%Y") if paid else "",
                fake.money(net * 1.19, "eu") if paid else "0,00",
                "bezahlt" if paid else "offen",
            ]
        )
    cust_h = [
        "Kundennummer",
        "Firma",
        "Straße",
        "PLZ",
        "Ort",
        "Land",
        "Angelegt am",
        "Kundengruppe",
    ]
    custs = []
    for code_, name in customers:
        city, country = rng.choice(fake.CITIES["de"])
        custs.append(
            [
                code_,
                name,
                f"Hauptstraße {rng.randint(1, 90)}",
                str(rng.randint(10000, 99999)),
                city,
                country,
                fake.moment(rng, date(2019, 1, 1), 1200).strftime("%d.%m.%Y"),
                rng.choice(["A-Kunde", "B-Kunde", "C-Kunde"]),
            ]
        )
    return Scenario(
        "lexoffice_de", "lexoffice Rechnungen and Kunden exports, German", "de",
        [
            Export("Rechnungen.csv", inv_h, invs, Expect("invoices", "Rechnungsnummer", "Rechnungsdatum", "Nettobetrag", {"Kundennummer": "Kunden.csv"}), delimiter=";"),
            Export("Kunden.csv", cust_h, custs, Expect("customers", "Kundennummer"), delimiter=";"),
        ],
    )  # fmt: skip


def pennylane(rng: Rng) -> Scenario:
    header = [
        "Numéro de facture",
        "Date de facture",
        "Date d'échéance",
        "Client",
        "Montant HT",
        "TVA",
        "Montant TTC",
        "Statut",
        "Date de paiement",
        "Devise",
    ]
    rows = []
    for i in range(_n(rng)):
        when = fake.moment(rng, START, DAYS)
        ht = rng.uniform(100, 8000)
        paid = rng.random() < 0.7
        rows.append(
            [
                f"F-2023-{i + 1:04d}",
                when.strftime("%d/%m/%Y"),
                fake.later(rng, when, 30, 30).strftime("%d/%m/%Y"),
                fake.company(rng, "fr", rng.randint(0, 50)),
                fake.money(ht, "fr"),
                fake.money(ht * 0.2, "fr"),
                fake.money(ht * 1.2, "fr"),
                "Payée" if paid else "En attente",
                fake.later(rng, when, 5, 50).strftime("%d/%m/%Y") if paid else "",
                "EUR",
            ]
        )
    return Scenario(
        "pennylane_fr", "Pennylane factures clients export, French", "fr",
        [Export("factures_clients.csv", header, rows, Expect("invoices", "Numéro de facture", "Date de facture", "Montant HT"), delimiter=";")],
    )  # fmt: skip


def holded(rng: Rng) -> Scenario:
    header = [
        "Nº factura",
        "Fecha",
        "Vencimiento",
        "Cliente",
        "NIF cliente",
        "Base imponible",
        "IVA",
        "Total",
        "Estado",
        "Fecha de cobro",
    ]
    rows = []
    for i in range(_n(rng)):
        when = fake.moment(rng, START, DAYS)
        base = rng.uniform(60, 6000)
        cobrada = rng.random() < 0.7
        rows.append(
            [
                f"F23{i + 1:04d}",
                when.strftime("%d/%m/%Y"),
                fake.later(rng, when, 30, 30).strftime("%d/%m/%Y"),
                fake.company(rng, "es", rng.randint(0, 50)),
                f"B{rng.randint(10000000, 99999999)}",
                fake.money(base, "eu"),
                fake.money(base * 0.21, "eu"),
                fake.money(base * 1.21, "eu"),
                "Cobrada" if cobrada else "Pendiente",
                fake.later(rng, when, 5, 60).strftime("%d/%m/%Y") if cobrada else "",
            ]
        )
    return Scenario(
        "holded_es", "Holded facturas de venta export, Spanish", "es",
        [Export("facturas_venta.csv", header, rows, Expect("invoices", "Nº factura", "Fecha", "Base imponible"), delimiter=";")],
    )  # fmt: skip


def quickbooks(rng: Rng) -> Scenario:
    header = ["Date", "Transaction Type", "Num", "Customer", "Due Date", "Amount", "Open Balance"]
    rows = []
    for i in range(_n(rng)):
        when = fake.moment(rng, START, DAYS)
        amount = rng.uniform(100, 7000)
        rows.append(
            [
                when.strftime("%m/%d/%Y"),
                "Invoice",
                str(1001 + i),
                fake.company(rng, "en", rng.randint(0, 45)),
                fake.later(rng, when, 30, 30).strftime("%m/%d/%Y"),
                fake.money(amount, "en,"),
                fake.money(0 if rng.random() < 0.7 else amount, "en,"),
            ]
        )
    return Scenario(
        "quickbooks", "QuickBooks Online invoice list report", "en",
        [Export("Invoice List.csv", header, rows, Expect("invoices", "Num", "Date", "Amount"))],
    )  # fmt: skip


def xero(rng: Rng) -> Scenario:
    header = [
        "ContactName",
        "EmailAddress",
        "InvoiceNumber",
        "Reference",
        "InvoiceDate",
        "DueDate",
        "SubTotal",
        "TaxTotal",
        "Total",
        "InvoiceAmountPaid",
        "InvoiceAmountDue",
        "Currency",
        "Status",
    ]
    rows = []
    for i in range(_n(rng)):
        when = fake.moment(rng, START, DAYS)
        sub = rng.uniform(100, 5000)
        paid = rng.random() < 0.6
        rows.append(
            [
                fake.company(rng, "en", rng.randint(0, 40)),
                f"accounts{i % 40}@example.com",
                f"INV-{i + 1:04d}",
                f"PO {rng.randint(100, 999)}",
                when.strftime("%d/%m/%Y"),
                fake.later(rng, when, 30, 30).strftime("%d/%m/%Y"),
                fake.money(sub),
                fake.money(sub * 0.15),
                fake.money(sub * 1.15),
                fake.money(sub * 1.15 if paid else 0),
                fake.money(0 if paid else sub * 1.15),
                "NZD",
                "PAID" if paid else "AUTHORISED",
            ]
        )
    return Scenario(
        "xero", "Xero sales invoices export (New Zealand)", "en",
        [Export("Invoices.csv", header, rows, Expect("invoices", "InvoiceNumber", "InvoiceDate", "SubTotal"))],
    )  # fmt: skip


def workbook_nl(rng: Rng) -> Scenario:
    regions = ["Noord", "Oost", "Zuid", "West"]
    klanten = [(f"K{100 + i}", fake.company(rng, "nl", i), rng.choice(regions)) for i in range(40)]
    fact_h = ["Factuurnr", "Datum", "Klant", "Regio", "Bedrag"]
    facts = []
    for i in range(_n(rng, 150, 250)):
        k = rng.choice(klanten)
        facts.append(
            [
                f"2024{i + 1:04d}",
                fake.moment(rng, START, DAYS).strftime("%Y-%m-%d"),
                k[0],
                k[2],
                f"{rng.uniform(100, 5000):.2f}",
            ]
        )
    kl_h = ["Klantnr", "Naam", "Plaats", "Regio"]
    kl = [[k[0], k[1], rng.choice(fake.CITIES["nl"])[0], k[2]] for k in klanten]
    reg_h = ["Regio", "Accountmanager"]
    managers = [" ".join(fake.person(rng, "nl")) for _ in range(3)]
    reg = [[r, managers[min(i, 2)]] for i, r in enumerate(regions)]  # one manages two regions
    book = "Verkoop 2024.xlsx"
    return Scenario(
        "workbook_nl", "A sales team's own Excel workbook (invoices, customers, regions)", "nl",
        [
            Export(book, fact_h, facts, Expect("orders", "Factuurnr", "Datum", "Bedrag", {"Klant": f"{book} [Klanten]"}), sheet="Facturen"),
            Export(book, kl_h, kl, Expect("customers", "Klantnr"), sheet="Klanten"),
            Export(book, reg_h, reg, Expect(None), sheet="Regio's"),
        ],
    )  # fmt: skip


# -- ERP sample databases, one file per table --------------------------------------------


def erp_adventure(rng: Rng) -> Scenario:
    hdr_h = [
        "SalesOrderID",
        "RevisionNumber",
        "OrderDate",
        "DueDate",
        "ShipDate",
        "Status",
        "OnlineOrderFlag",
        "SalesOrderNumber",
        "PurchaseOrderNumber",
        "AccountNumber",
        "CustomerID",
        "SalesPersonID",
        "TerritoryID",
        "SubTotal",
        "TaxAmt",
        "Freight",
        "TotalDue",
    ]
    det_h = [
        "SalesOrderID",
        "SalesOrderDetailID",
        "CarrierTrackingNumber",
        "OrderQty",
        "ProductID",
        "SpecialOfferID",
        "UnitPrice",
        "UnitPriceDiscount",
        "LineTotal",
    ]
    cus_h = ["CustomerID", "PersonID", "StoreID", "TerritoryID", "AccountNumber", "ModifiedDate"]
    sp_h = [
        "BusinessEntityID",
        "TerritoryID",
        "SalesQuota",
        "Bonus",
        "CommissionPct",
        "SalesYTD",
        "SalesLastYear",
        "ModifiedDate",
    ]
    prod_h = [
        "ProductID",
        "Name",
        "ProductNumber",
        "Color",
        "StandardCost",
        "ListPrice",
        "Size",
        "Weight",
    ]
    products = [
        [
            str(700 + i),
            f"{rng.choice(fake.PRODUCTS)} {i}",
            f"PN-{i:04d}",
            rng.choice(["Black", "Red", "Silver", ""]),
            f"{rng.uniform(5, 300):.4f}",
            f"{rng.uniform(10, 600):.4f}",
            rng.choice(["S", "M", "L", ""]),
            "",
        ]
        for i in range(60)
    ]
    customers = [
        [
            str(11000 + i),
            str(rng.randint(1, 20000)),
            "",
            str(rng.randint(1, 10)),
            f"AW{11000 + i:08d}",
            "2014-09-12 11:15:07.263",
        ]
        for i in range(150)
    ]
    people = [
        [
            str(274 + i),
            str(rng.randint(1, 10)),
            f"{rng.choice([250000, 300000])}.00",
            f"{rng.randint(0, 6000)}.00",
            f"{rng.choice([0.01, 0.015, 0.02])}",
            f"{rng.uniform(1e6, 4e6):.4f}",
            f"{rng.uniform(1e6, 3e6):.4f}",
            "2012-05-23 00:00:00",
        ]
        for i in range(10)
    ]
    headers, details = [], []
    detail_id = 1
    for i in range(_n(rng, 160, 220)):
        oid = 43659 + i
        when = fake.moment(rng, START, DAYS)
        lines = []
        for _ in range(rng.randint(1, 5)):
            q = rng.randint(1, 6)
            price = float(rng.choice(products)[5])
            lines.append(q * price)
            details.append(
                [
                    str(oid),
                    str(detail_id),
                    f"4911-403C-{rng.randint(10, 99)}",
                    str(q),
                    rng.choice(products)[0],
                    "1",
                    f"{price:.4f}",
                    "0.00",
                    f"{q * price:.6f}",
                ]
            )
            detail_id += 1
        sub = sum(lines)
        headers.append(
            [
                str(oid),
                "8",
                when.strftime("%Y-%m-%d 00:00:00.000"),
                fake.later(rng, when, 12, 12).strftime("%Y-%m-%d 00:00:00.000"),
                fake.later(rng, when, 7, 7).strftime("%Y-%m-%d 00:00:00.000"),
                "5",
                "0",
                f"SO{oid}",
                f"PO{rng.randint(10**9, 10**10)}",
                f"10-4020-{rng.randint(100, 999):06d}",
                rng.choice(customers)[0],
                rng.choice(people)[0],
                str(rng.randint(1, 10)),
                f"{sub:.4f}",
                f"{sub * 0.08:.4f}",
                f"{sub * 0.025:.4f}",
                f"{sub * 1.105:.4f}",
            ]
        )
    return Scenario(
        "erp_sales", "An ERP sample database dumped as one CSV per table (sales schema)", "en",
        [
            Export("SalesOrderHeader.csv", hdr_h, headers, Expect("orders", "SalesOrderID", "OrderDate", "SubTotal", {"CustomerID": "Customer.csv", "SalesPersonID": "SalesPerson.csv"})),
            Export("SalesOrderDetail.csv", det_h, details, Expect(None, references={"SalesOrderID": "SalesOrderHeader.csv", "ProductID": "Product.csv"})),
            Export("Customer.csv", cus_h, customers, Expect("customers", "CustomerID")),
            Export("SalesPerson.csv", sp_h, people, Expect("salespeople", "BusinessEntityID")),
            Export("Product.csv", prod_h, products, Expect(None)),
        ],
    )  # fmt: skip


def erp_spanish(rng: Rng) -> Scenario:
    clientes = [(f"C{i + 1:04d}", fake.company(rng, "es", i)) for i in range(60)]
    comerciales = [" ".join(fake.person(rng, "es")) for _ in range(5)]
    ped_h = ["Nº pedido", "Fecha pedido", "Cliente", "Comercial", "Estado", "Base imponible"]
    lin_h = [
        "Nº pedido",
        "Línea",
        "Artículo",
        "Cantidad",
        "Precio unidad",
        "Descuento %",
        "Importe",
    ]
    cli_h = ["Código cliente", "Nombre", "Población", "Provincia", "País"]
    peds, lins = [], []
    for i in range(_n(rng, 150, 220)):
        num = f"PV{23000 + i}"
        total = 0.0
        for j in range(rng.randint(1, 4)):
            q = rng.randint(1, 10)
            price = rng.choice([3.5, 12.0, 45.9, 120.0])
            dto = rng.choice([0, 0, 5, 10])
            amount = q * price * (1 - dto / 100)
            total += amount
            lins.append(
                [
                    num,
                    str(j + 1),
                    rng.choice(fake.PRODUCTS),
                    str(q),
                    fake.money(price, "eu"),
                    str(dto),
                    fake.money(amount, "eu"),
                ]
            )
        peds.append(
            [
                num,
                fake.moment(rng, START, DAYS).strftime("%d/%m/%Y"),
                rng.choice(clientes)[0],
                rng.choice(comerciales),
                rng.choice(["Servido", "Pendiente", "Facturado"]),
                fake.money(total, "eu"),
            ]
        )
    clis = []
    for c, n in clientes:
        city, _ = rng.choice(fake.CITIES["es"])
        clis.append([c, n, city, city, "España"])
    return Scenario(
        "erp_es", "A Spanish ERP (sales orders, lines and customers as CSV)", "es",
        [
            Export("pedidos_venta.csv", ped_h, peds, Expect("orders", "Nº pedido", "Fecha pedido", "Base imponible", {"Cliente": "clientes.csv"}), delimiter=";"),
            Export("lineas_pedido.csv", lin_h, lins, Expect(None, references={"Nº pedido": "pedidos_venta.csv"}), delimiter=";"),
            Export("clientes.csv", cli_h, clis, Expect("customers", "Código cliente"), delimiter=";"),
        ],
    )  # fmt: skip


def erp_german_lines(rng: Rng) -> Scenario:
    auf_h = ["Auftragsnummer", "Auftragsdatum", "Kundennummer", "Vertreter", "Status"]
    pos_h = ["Auftragsnummer", "Position", "Artikelnummer", "Menge", "Einzelpreis", "Rabatt"]
    reps = [" ".join(fake.person(rng, "de")) for _ in range(4)]
    aufs, poss = [], []
    for i in range(_n(rng, 150, 220)):
        num = str(450000 + i)
        aufs.append(
            [
                num,
                fake.moment(rng, START, DAYS).strftime("%d.%m.%Y"),
                f"D{rng.randint(100, 180)}",
                rng.choice(reps),
                rng.choice(["erledigt", "offen", "storniert"]),
            ]
        )
        for j in range(rng.randint(1, 5)):
            poss.append(
                [
                    num,
                    str(10 * (j + 1)),
                    f"A-{rng.randint(1000, 1100)}",
                    str(rng.randint(1, 20)),
                    fake.money(rng.choice([2.5, 9.9, 49.0, 199.0]), "eu"),
                    str(rng.choice([0, 0, 3, 5])),
                ]
            )
    return Scenario(
        "erp_de", "A German ERP order header and order positions export", "de",
        [
            Export("Auftraege.csv", auf_h, aufs, Expect(None), delimiter=";"),
            Export("Auftragspositionen.csv", pos_h, poss, Expect("orders", "Auftragsnummer", "Auftragsdatum", "Menge*Einzelpreis", {"Auftragsnummer": "Auftraege.csv"}), delimiter=";"),
        ],
    )  # fmt: skip


def odoo_french(rng: Rng) -> Scenario:
    header = [
        "Référence de la commande",
        "Date de la commande",
        "Client",
        "Vendeur",
        "Équipe commerciale",
        "Montant HT",
        "Taxes",
        "Total",
        "Statut",
    ]
    sellers = [" ".join(fake.person(rng, "fr")) for _ in range(4)]
    rows = []
    for i in range(_n(rng)):
        ht = rng.uniform(100, 20000)
        rows.append(
            [
                f"S{i + 1:05d}",
                fake.moment(rng, START, DAYS).strftime("%d/%m/%Y %H:%M:%S"),
                fake.company(rng, "fr", rng.randint(0, 50)),
                rng.choice(sellers),
                rng.choice(["Ventes directes", "Export"]),
                fake.money(ht, "fr"),
                fake.money(ht * 0.2, "fr"),
                fake.money(ht * 1.2, "fr"),
                rng.choice(["Bon de commande", "Bon de commande", "Annulé", "Verrouillé"]),
            ]
        )
    return Scenario(
        "odoo_fr", "Odoo sale orders export, French", "fr",
        [Export("Bon de commande (sale.order).csv", header, rows, Expect("orders", "Référence de la commande", "Date de la commande", "Montant HT"))],
    )  # fmt: skip


def pos_dutch(rng: Rng) -> Scenario:
    header = [
        "Bonnummer",
        "Datum",
        "Tijd",
        "Kassa",
        "Medewerker",
        "Aantal artikelen",
        "Totaal incl. btw",
        "Totaal excl. btw",
        "Betaalwijze",
        "Klantnummer",
    ]
    staff = [fake.person(rng, "nl")[0] for _ in range(6)]
    rows = []
    for i in range(_n(rng, 250, 380)):
        when = fake.moment(rng, START, DAYS)
        incl = rng.uniform(3, 250)
        rows.append(
            [
                str(880000 + i),
                when.strftime("%d-%m-%Y"),
                when.strftime("%H:%M"),
                rng.choice(["Kassa 1", "Kassa 2"]),
                rng.choice(staff),
                str(rng.randint(1, 12)),
                fake.money(incl, "eu-plain"),
                fake.money(incl / 1.21, "eu-plain"),
                rng.choice(["Pin", "Contant", "Contactloos"]),
                rng.choice(["", "", str(rng.randint(100, 400))]),
            ]
        )
    return Scenario(
        "lightspeed_pos", "Lightspeed Retail (POS) sales export, Dutch shop", "nl",
        [Export("kassabonnen.csv", header, rows, Expect("orders", "Bonnummer", "Datum", "Totaal excl. btw"), delimiter=";")],
    )  # fmt: skip


# -- returns, carts, tickets, surveys, web analytics, costs, people -----------------------


def returns_with_orders(rng: Rng) -> Scenario:
    ord_h = ["Order Number", "Order Date", "Customer", "Total"]
    ret_h = [
        "RMA Number",
        "Order Number",
        "Return Date",
        "Reason",
        "Refund Amount",
        "Items Returned",
        "Status",
    ]
    orders, rets = [], []
    for i in range(_n(rng, 200, 300)):
        when = fake.moment(rng, START, DAYS)
        total = rng.uniform(20, 400)
        orders.append(
            [
                f"SO-{50000 + i}",
                when.strftime("%Y-%m-%d"),
                fake.company(rng, "en", rng.randint(0, 60)),
                fake.money(total),
            ]
        )
        if rng.random() < 0.3:
            rets.append(
                [
                    f"RMA{9000 + len(rets)}",
                    f"SO-{50000 + i}",
                    fake.later(rng, when, 3, 30).strftime("%Y-%m-%d"),
                    rng.choice(["Damaged", "Wrong size", "Changed mind"]),
                    fake.money(total * rng.choice([0.5, 1.0])),
                    str(rng.randint(1, 3)),
                    rng.choice(["Refunded", "Received"]),
                ]
            )
    return Scenario(
        "returnly", "A returns platform's RMA export next to the shop's order list", "en",
        [
            Export("returns.csv", ret_h, rets, Expect("returns", "RMA Number", "Return Date", "Refund Amount", {"Order Number": "orders.csv"})),
            Export("orders.csv", ord_h, orders, Expect("orders", "Order Number", "Order Date", "Total")),
        ],
    )  # fmt: skip


def returns_dutch(rng: Rng) -> Scenario:
    header = [
        "Retournummer",
        "Bestelnummer",
        "Retourdatum",
        "Reden",
        "Aantal",
        "Terugbetaald bedrag",
    ]
    rows = [
        [
            f"R{7000 + i}",
            f"B{30000 + rng.randint(0, 5000)}",
            fake.moment(rng, START, DAYS).strftime("%d-%m-%Y"),
            rng.choice(["Te klein", "Beschadigd", "Niet naar wens"]),
            str(rng.randint(1, 3)),
            fake.money(rng.uniform(5, 150), "eu"),
        ]
        for i in range(_n(rng))
    ]
    return Scenario(
        "sendcloud_nl", "Sendcloud returns export, Dutch", "nl",
        [Export("retouren.csv", header, rows, Expect("returns", "Retournummer", "Retourdatum", "Terugbetaald bedrag"), delimiter=";")],
    )  # fmt: skip


def abandoned_checkouts(rng: Rng) -> Scenario:
    header = [
        "Id",
        "Created at",
        "Email",
        "Subtotal",
        "Total",
        "Currency",
        "Completed at",
        "Recovery Status",
    ]
    rows = []
    for i in range(_n(rng)):
        when = fake.moment(rng, START, DAYS)
        first, last = fake.person(rng, "en")
        sub = rng.uniform(10, 300)
        done = rng.random() < 0.2
        rows.append(
            [
                str(31000000000 + i * 17),
                when.strftime("%Y-%m-%d %H:%M:%S +0000"),
                fake.email(first, last, i),
                fake.money(sub),
                fake.money(sub * 1.1),
                "USD",
                fake.later(rng, when, 0, 3).strftime("%Y-%m-%d %H:%M:%S +0000") if done else "",
                "recovered" if done else "not_recovered",
            ]
        )
    return Scenario(
        "shopify_checkouts", "Shopify abandoned checkouts export", "en",
        [Export("abandoned_checkouts_export.csv", header, rows, Expect("carts", "Id", "Created at"))],
    )  # fmt: skip


def zendesk(rng: Rng) -> Scenario:
    header = [
        "Id",
        "Subject",
        "Status",
        "Priority",
        "Type",
        "Requester",
        "Requester email",
        "Assignee",
        "Group",
        "Created at",
        "Updated at",
        "Solved at",
        "Tags",
    ]
    agents = [" ".join(fake.person(rng, "en")) for _ in range(5)]
    rows = []
    for i in range(_n(rng)):
        when = fake.moment(rng, START, DAYS)
        first, last = fake.person(rng, "en")
        solved = rng.random() < 0.8
        rows.append(
            [
                str(12000 + i),
                rng.choice(
                    ["Order arrived damaged", "Wrong invoice", "Late delivery", "Refund request"]
                ),
                "solved" if solved else "open",
                rng.choice(["low", "normal", "high"]),
                rng.choice(["problem", "incident", "question"]),
                f"{first} {last}",
                fake.email(first, last, i),
                rng.choice(agents),
                "Support",
                when.strftime("%Y-%m-%d %H:%M:%S"),
                fake.later(rng, when, 0, 10).strftime("%Y-%m-%d %H:%M:%S"),
                fake.later(rng, when, 0, 10).strftime("%Y-%m-%d %H:%M:%S") if solved else "",
                "delivery",
            ]
        )
    return Scenario(
        "zendesk", "Zendesk tickets export (CSV)", "en",
        [Export("tickets.csv", header, rows, Expect("complaints", "Id", "Created at"))],
    )  # fmt: skip


def freshdesk_es(rng: Rng) -> Scenario:
    header = [
        "ID del ticket",
        "Asunto",
        "Estado",
        "Prioridad",
        "Tipo",
        "Fecha de creación",
        "Fecha de resolución",
        "Cliente",
        "Agente",
        "Grupo",
    ]
    rows = []
    for i in range(_n(rng)):
        when = fake.moment(rng, START, DAYS)
        rows.append(
            [
                str(500 + i),
                rng.choice(["Pedido incompleto", "Factura incorrecta", "Producto defectuoso"]),
                rng.choice(["Resuelto", "Abierto", "Cerrado"]),
                rng.choice(["Baja", "Media", "Alta"]),
                rng.choice(["Incidencia", "Pregunta", "Reclamación"]),
                when.strftime("%d/%m/%Y %H:%M"),
                fake.later(rng, when, 0, 7).strftime("%d/%m/%Y %H:%M"),
                fake.company(rng, "es", rng.randint(0, 40)),
                " ".join(fake.person(rng, "es")),
                "Soporte",
            ]
        )
    return Scenario(
        "freshdesk_es", "Freshdesk tickets export, Spanish", "es",
        [Export("tickets_export.csv", header, rows, Expect("complaints", "ID del ticket", "Fecha de creación"), delimiter=";")],
    )  # fmt: skip


def typeform_nps(rng: Rng) -> Scenario:
    header = [
        "#",
        "How likely are you to recommend us to a friend or colleague?",
        "What is the main reason for your score?",
        "Email",
        "Order number",
        "Start Date (UTC)",
        "Submit Date (UTC)",
        "Network ID",
    ]
    rows = []
    for i in range(_n(rng)):
        when = fake.moment(rng, START, DAYS)
        first, last = fake.person(rng, "en")
        rows.append(
            [
                fake.code(rng, 32, "abcdefghijklmnopqrstuvwxyz0123456789"),
                str(rng.choice([10, 9, 9, 8, 7, 6, 10, 3])),
                "Fast delivery and friendly support",
                fake.email(first, last, i),
                f"#{1001 + rng.randint(0, 500)}",
                when.strftime("%Y-%m-%d %H:%M:%S"),
                fake.later(rng, when, 0, 0).strftime("%Y-%m-%d %H:%M:%S"),
                fake.code(rng, 10),
            ]
        )
    return Scenario(
        "typeform", "Typeform NPS survey responses export", "en",
        [Export("responses.csv", header, rows, Expect("satisfaction", "#", "Submit Date (UTC)"))],
    )  # fmt: skip


def survey_nl(rng: Rng) -> Scenario:
    header = [
        "Respondent-ID",
        "Begindatum",
        "Einddatum",
        "E-mailadres",
        "Hoe tevreden bent u over onze service? (1-5)",
        "Opmerking",
    ]
    rows = []
    for i in range(_n(rng)):
        when = fake.moment(rng, START, DAYS)
        first, last = fake.person(rng, "nl")
        rows.append(
            [
                str(114000000000 + i * 31),
                when.strftime("%d-%m-%Y %H:%M:%S"),
                fake.later(rng, when, 0, 0).strftime("%d-%m-%Y %H:%M:%S"),
                fake.email(first, last, i, "voorbeeld.nl"),
                str(rng.choice([5, 4, 4, 3, 5, 2, 1])),
                rng.choice(["", "Snel geleverd", "Prima"]),
            ]
        )
    return Scenario(
        "surveymonkey_nl", "SurveyMonkey responses export (customer satisfaction), Dutch", "nl",
        [Export("klanttevredenheid.csv", header, rows, Expect("satisfaction", "Respondent-ID", "Begindatum"), delimiter=";")],
    )  # fmt: skip


def reviews_de(rng: Rng) -> Scenario:
    header = ["Bewertungs-ID", "Datum", "Sterne", "Kommentar", "Bestellnummer"]
    rows = [
        [
            f"BW{40000 + i}",
            fake.moment(rng, START, DAYS).strftime("%d.%m.%Y"),
            str(rng.choice([5, 5, 4, 3, 2, 1])),
            rng.choice(["Alles bestens", "Lieferung zu spät", ""]),
            str(10000 + rng.randint(0, 900)),
        ]
        for i in range(_n(rng))
    ]
    return Scenario(
        "trusted_shops_de", "Trusted Shops reviews export, German", "de",
        [Export("bewertungen.csv", header, rows, Expect("satisfaction", "Bewertungs-ID", "Datum"), delimiter=";")],
    )  # fmt: skip


def matomo(rng: Rng) -> Scenario:
    header = [
        "idVisit",
        "visitorId",
        "firstActionTimestamp",
        "lastActionTimestamp",
        "visitDuration",
        "actions",
        "referrerType",
        "referrerName",
        "campaignName",
        "campaignMedium",
        "country",
        "deviceType",
        "visitConverted",
    ]
    rows = []
    for i in range(_n(rng, 250, 400)):
        when = fake.moment(rng, START, DAYS)
        kind = rng.choice(["direct", "search", "website", "campaign"])
        rows.append(
            [
                str(88000 + i),
                fake.code(rng, 16, "0123456789abcdef"),
                when.strftime("%Y-%m-%d %H:%M:%S"),
                fake.later(rng, when, 0, 0).strftime("%Y-%m-%d %H:%M:%S"),
                str(rng.randint(5, 900)),
                str(rng.randint(1, 12)),
                kind,
                "Google" if kind == "search" else "",
                "spring_sale" if kind == "campaign" else "",
                "cpc" if kind == "campaign" else "",
                rng.choice(["nl", "de", "be"]),
                rng.choice(["Desktop", "Smartphone"]),
                rng.choice(["0", "0", "1"]),
            ]
        )
    return Scenario(
        "matomo", "Matomo visits log export (Live.getLastVisitsDetails, CSV)", "en",
        [Export("visits.csv", header, rows, Expect("web_sessions", "idVisit", "firstActionTimestamp"))],
    )  # fmt: skip


def ga4_sessions(rng: Rng) -> Scenario:
    header = [
        "session_id",
        "user_pseudo_id",
        "session_start",
        "source",
        "medium",
        "campaign",
        "landing_page",
        "country",
        "device_category",
        "engaged_session",
        "purchases",
    ]
    rows = []
    for i in range(_n(rng, 250, 400)):
        src = rng.choice(
            [
                ("google", "organic"),
                ("google", "cpc"),
                ("(direct)", "(none)"),
                ("newsletter", "email"),
            ]
        )
        rows.append(
            [
                f"{rng.randint(10**9, 10**10)}.{1700000000 + i}",
                f"{rng.randint(10**8, 10**9)}.{rng.randint(10**9, 10**10)}",
                fake.moment(rng, START, DAYS).strftime("%Y-%m-%d %H:%M:%S"),
                src[0],
                src[1],
                "spring" if src[1] == "cpc" else "(not set)",
                rng.choice(["/", "/shop", "/sale"]),
                rng.choice(["Netherlands", "Germany"]),
                rng.choice(["desktop", "mobile"]),
                rng.choice(["1", "0"]),
                rng.choice(["0", "0", "1"]),
            ]
        )
    return Scenario(
        "ga4", "Google Analytics 4 sessions exported from BigQuery", "en",
        [Export("ga4_sessions.csv", header, rows, Expect("web_sessions", "session_id", "session_start"))],
    )  # fmt: skip


def expenses(rng: Rng) -> Scenario:
    header = [
        "Expense ID",
        "Date",
        "Merchant",
        "Category",
        "Amount",
        "Currency",
        "Description",
        "Reimbursable",
    ]
    rows = [
        [
            f"E{30000 + i}",
            fake.moment(rng, START, DAYS).strftime("%Y-%m-%d"),
            rng.choice(["Uber", "Delta", "Staples", "Google Ads"]),
            rng.choice(["Travel", "Office Supplies", "Advertising", "Meals"]),
            fake.money(rng.uniform(5, 900)),
            "USD",
            "Client visit",
            rng.choice(["Yes", "No"]),
        ]
        for i in range(_n(rng))
    ]
    return Scenario(
        "expensify", "Expensify expenses export", "en",
        [Export("expenses.csv", header, rows, Expect("costs", "Expense ID", "Date", "Amount"))],
    )  # fmt: skip


def costs_dutch(rng: Rng) -> Scenario:
    header = [
        "Boekstuknummer",
        "Boekdatum",
        "Grootboekrekening",
        "Omschrijving",
        "Bedrag",
        "Kostenplaats",
    ]
    rows = [
        [
            str(90000 + i),
            fake.moment(rng, START, DAYS).strftime("%d-%m-%Y"),
            rng.choice(["4000 Huur", "4300 Marketing", "4500 Kantoorkosten"]),
            rng.choice(["Huur kantoor", "Google Ads", "Papier"]),
            fake.money(rng.uniform(20, 3000), "eu"),
            rng.choice(["Verkoop", "Algemeen"]),
        ]
        for i in range(_n(rng))
    ]
    return Scenario(
        "snelstart_nl", "SnelStart kosten (purchase journal) export, Dutch", "nl",
        [Export("kosten.csv", header, rows, Expect("costs", "Boekstuknummer", "Boekdatum", "Bedrag"), delimiter=";")],
    )  # fmt: skip


def team_roster(rng: Rng) -> Scenario:
    header = ["Employee ID", "Full Name", "Team", "Region", "Manager", "Start Date", "Email"]
    rows = []
    for i in range(_n(rng, 20, 40)):
        first, last = fake.person(rng, "en")
        rows.append(
            [
                f"EMP{100 + i}",
                f"{first} {last}",
                rng.choice(["Inside Sales", "Field Sales", "Key Accounts"]),
                rng.choice(["North", "South", "West"]),
                rng.choice(["Karen Hall", "David Wright"]),
                fake.moment(rng, date(2015, 1, 1), 3000).strftime("%Y-%m-%d"),
                fake.email(first, last, i),
            ]
        )
    return Scenario(
        "bamboohr", "BambooHR employee directory export (sales team)", "en",
        [Export("employees.csv", header, rows, Expect("salespeople", "Employee ID"))],
    )  # fmt: skip


def hr_dutch(rng: Rng) -> Scenario:
    header = [
        "Personeelsnummer",
        "Voornaam",
        "Achternaam",
        "Functie",
        "Afdeling",
        "Geboortedatum",
        "Datum in dienst",
        "E-mail",
    ]
    rows = []
    for i in range(_n(rng, 20, 40)):
        first, last = fake.person(rng, "nl")
        rows.append(
            [
                str(1000 + i),
                first,
                last,
                rng.choice(["Accountmanager", "Binnendienst", "Verkoper"]),
                "Verkoop",
                fake.moment(rng, date(1965, 1, 1), 12000).strftime("%d-%m-%Y"),
                fake.moment(rng, date(2010, 1, 1), 4000).strftime("%d-%m-%Y"),
                fake.email(first, last, i, "bedrijf.nl"),
            ]
        )
    return Scenario(
        "afas_nl", "AFAS personnel list export, Dutch (with birth dates)", "nl",
        [Export("medewerkers.csv", header, rows, Expect("salespeople", "Personeelsnummer"), delimiter=";")],
    )  # fmt: skip


def crm_customers_es(rng: Rng) -> Scenario:
    header = ["ID Cliente", "Nombre", "Email", "Teléfono", "Segmento", "Región", "Fecha de alta"]
    rows = []
    for i in range(_n(rng, 120, 200)):
        rows.append(
            [
                f"CLI-{i + 1:05d}",
                fake.company(rng, "es", i),
                f"info{i}@empresa.es",
                f"+34 9{rng.randint(10000000, 99999999)}",
                rng.choice(["Pyme", "Gran cuenta", "Particular"]),
                rng.choice(["Centro", "Norte", "Sur", "Este"]),
                fake.moment(rng, date(2018, 1, 1), 2000).strftime("%d/%m/%Y"),
            ]
        )
    return Scenario(
        "sumacrm_es", "A Spanish CRM's customer list export", "es",
        [Export("clientes_crm.csv", header, rows, Expect("customers", "ID Cliente"), delimiter=";")],
    )  # fmt: skip


# -- what must not be forced into an entity ---------------------------------------------


def not_entities(rng: Rng) -> Scenario:
    prod_h = ["SKU", "Product Name", "Category", "Price", "Cost", "Stock"]
    prods = [
        [
            f"SKU-{1000 + i}",
            f"{rng.choice(fake.PRODUCTS)} {i}",
            rng.choice(["Home", "Office", "Travel"]),
            fake.money(rng.uniform(5, 200)),
            fake.money(rng.uniform(2, 100)),
            str(rng.randint(0, 500)),
        ]
        for i in range(_n(rng, 80, 150))
    ]
    fx_h = ["Date", "Currency", "Rate"]
    days = [datetime(2023, 1, 1) + timedelta(days=d) for d in range(200)]
    fx = [
        [day.strftime("%Y-%m-%d"), cur, f"{rng.uniform(0.8, 1.2):.4f}"]
        for day in days
        for cur in ("USD", "GBP", "CHF")
    ]
    ga_h = ["Date", "Default Channel Group", "Sessions", "Users", "Conversions", "Revenue"]
    ga = []
    for d in range(120):
        for ch in ("Organic Search", "Paid Search", "Direct", "Email"):
            ga.append(
                [
                    (datetime(2023, 1, 1) + timedelta(days=d)).strftime("%Y%m%d"),
                    ch,
                    str(rng.randint(20, 900)),
                    str(rng.randint(10, 800)),
                    str(rng.randint(0, 30)),
                    fake.money(rng.uniform(0, 3000)),
                ]
            )
    store_h = ["Filialnummer", "Filiale", "Ort", "Bundesland", "Eröffnet am"]
    stores = [
        [
            str(10 + i),
            f"Filiale {c}",
            c,
            rng.choice(["Bayern", "Hessen", "Berlin"]),
            fake.moment(rng, date(2005, 1, 1), 5000).strftime("%d.%m.%Y"),
        ]
        for i, (c, _) in enumerate(fake.CITIES["de"] * 3)
    ]
    report_h = ["Customer", "Date", "Amount", "Units"]
    report = [
        [
            f"{rng.randint(1000, 9999)}",
            fake.moment(rng, START, DAYS).strftime("%Y%m%d"),
            f"{rng.uniform(5, 200):.2f}",
            str(rng.randint(1, 5)),
        ]
        for _ in range(_n(rng))
    ]
    return Scenario(
        "unknowns", "Exports that are not entities of the sales model: lookups, aggregates, a space-aligned report", "en",
        [
            Export("products.csv", prod_h, prods, Expect(None)),
            Export("exchange_rates.csv", fx_h, fx, Expect(None)),
            Export("analytics_channels_daily.csv", ga_h, ga, Expect(None)),
            Export("filialen.csv", store_h, stores, Expect(None), delimiter=";"),
            Export("sales_report.txt", report_h, report, Expect(None), delimiter="aligned"),
        ],
    )  # fmt: skip


SCENARIOS: list[Callable[[Rng], Scenario]] = [
    shopify_orders,
    woocommerce_orders,
    magento_orders,
    amazon_orders,
    etsy_orders,
    dutch_webshop,
    shopware_orders,
    prestashop_orders,
    french_invoice_lines,
    stripe_payments,
    paypal_activity,
    mollie_payments,
    hubspot,
    salesforce,
    pipedrive,
    teamleader_quotes,
    french_quotes,
    zoho_leads,
    salesforce_leads,
    form_entries,
    call_log,
    exact_online,
    datev,
    pennylane,
    holded,
    quickbooks,
    xero,
    workbook_nl,
    erp_adventure,
    erp_spanish,
    erp_german_lines,
    odoo_french,
    pos_dutch,
    returns_with_orders,
    returns_dutch,
    abandoned_checkouts,
    zendesk,
    freshdesk_es,
    typeform_nps,
    survey_nl,
    reviews_de,
    matomo,
    ga4_sessions,
    expenses,
    costs_dutch,
    team_roster,
    hr_dutch,
    crm_customers_es,
    not_entities,
]
