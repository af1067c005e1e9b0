"""Deterministic fake values for the export corpus: people, companies, dates, money.

Every function takes the scenario's ``random.Random`` so that the same seed writes
the same bytes; nothing here reads the clock or the network.
"""

from __future__ import annotations

import random
import string
from datetime import date, datetime, timedelta

FIRST = {
    "en": [
        "James",
        "Mary",
        "Robert",
        "Linda",
        "Michael",
        "Susan",
        "David",
        "Karen",
        "Emily",
        "Daniel",
    ],
    "nl": ["Jan", "Anouk", "Pieter", "Sanne", "Daan", "Femke", "Bram", "Lotte", "Joost", "Eva"],
    "de": ["Lukas", "Anna", "Jonas", "Lea", "Felix", "Marie", "Paul", "Sophie", "Leon", "Hannah"],
    "fr": ["Louis", "Camille", "Hugo", "Chloé", "Lucas", "Léa", "Jules", "Manon", "Arthur", "Inès"],
    "es": [
        "Hugo",
        "Lucía",
        "Martín",
        "Sofía",
        "Pablo",
        "María",
        "Álvaro",
        "Paula",
        "Diego",
        "Carmen",
    ],
}
LAST = {
    "en": [
        "Smith",
        "Johnson",
        "Brown",
        "Taylor",
        "Wilson",
        "Davies",
        "Evans",
        "Clarke",
        "Hall",
        "Wright",
    ],
    "nl": [
        "de Jong",
        "Jansen",
        "de Vries",
        "van Dijk",
        "Bakker",
        "Visser",
        "Smit",
        "Meijer",
        "Mulder",
        "Bos",
    ],
    "de": [
        "Müller",
        "Schmidt",
        "Schneider",
        "Fischer",
        "Weber",
        "Meyer",
        "Wagner",
        "Becker",
        "Hoffmann",
        "Koch",
    ],
    "fr": [
        "Martin",
        "Bernard",
        "Dubois",
        "Thomas",
        "Robert",
        "Richard",
        "Petit",
        "Durand",
        "Leroy",
        "Moreau",
    ],
    "es": [
        "García",
        "Fernández",
        "González",
        "Rodríguez",
        "López",
        "Martínez",
        "Sánchez",
        "Pérez",
        "Gómez",
        "Díaz",
    ],
}
COMPANY_WORDS = {
    "en": [
        "Acme",
        "Northwind",
        "Bluebird",
        "Summit",
        "Harbor",
        "Keystone",
        "Evergreen",
        "Pioneer",
        "Redwood",
        "Silverline",
    ],
    "nl": [
        "Bakkerij",
        "Installatie",
        "Bouwbedrijf",
        "Drukkerij",
        "Kantoor",
        "Tuincentrum",
        "Autobedrijf",
        "Zuivel",
        "Houthandel",
        "Meubel",
    ],
    "de": [
        "Maschinenbau",
        "Elektro",
        "Bau",
        "Druckerei",
        "Logistik",
        "Metall",
        "Holz",
        "Garten",
        "Kälte",
        "Glas",
    ],
    "fr": [
        "Boulangerie",
        "Transports",
        "Menuiserie",
        "Imprimerie",
        "Électricité",
        "Jardins",
        "Plomberie",
        "Bâtiment",
        "Conseil",
        "Optique",
    ],
    "es": [
        "Construcciones",
        "Transportes",
        "Talleres",
        "Panadería",
        "Distribuciones",
        "Reformas",
        "Electricidad",
        "Muebles",
        "Asesoría",
        "Jardinería",
    ],
}
SUFFIX = {
    "en": ["Ltd", "Inc", "LLC", "Group"],
    "nl": ["B.V.", "V.O.F."],
    "de": ["GmbH", "AG", "KG"],
    "fr": ["SARL", "SAS", "SA"],
    "es": ["S.L.", "S.A."],
}
CITIES = {
    "en": [
        ("London", "GB"),
        ("Manchester", "GB"),
        ("New York", "US"),
        ("Chicago", "US"),
        ("Austin", "US"),
        ("Toronto", "CA"),
        ("Dublin", "IE"),
        ("Sydney", "AU"),
    ],
    "nl": [
        ("Amsterdam", "NL"),
        ("Rotterdam", "NL"),
        ("Utrecht", "NL"),
        ("Eindhoven", "NL"),
        ("Groningen", "NL"),
        ("Antwerpen", "BE"),
        ("Gent", "BE"),
    ],
    "de": [
        ("Berlin", "DE"),
        ("München", "DE"),
        ("Hamburg", "DE"),
        ("Köln", "DE"),
        ("Stuttgart", "DE"),
        ("Wien", "AT"),
        ("Zürich", "CH"),
    ],
    "fr": [
        ("Paris", "FR"),
        ("Lyon", "FR"),
        ("Marseille", "FR"),
        ("Toulouse", "FR"),
        ("Nantes", "FR"),
        ("Bruxelles", "BE"),
        ("Genève", "CH"),
    ],
    "es": [
        ("Madrid", "ES"),
        ("Barcelona", "ES"),
        ("Valencia", "ES"),
        ("Sevilla", "ES"),
        ("Bilbao", "ES"),
        ("Zaragoza", "ES"),
        ("Málaga", "ES"),
    ],
}
PRODUCTS = [
    "Desk lamp",
    "Office chair",
    "Notebook A5",
    "USB-C cable",
    "Coffee mug",
    "Backpack",
    "Water bottle",
    "Monitor stand",
    "Keyboard",
    "Headphones",
    "Plant pot",
    "Wall clock",
]


def person(rng: random.Random, lang: str) -> tuple[str, str]:
    return rng.choice(FIRST[lang]), rng.choice(LAST[lang])


def company(rng: random.Random, lang: str, i: int) -> str:
    """A company name, the same for the same ``i`` (and different for every ``i``)."""
    words, lasts = COMPANY_WORDS[lang], LAST[lang]
    word = words[i % len(words)]
    last = lasts[(i // len(words)) % len(lasts)]
    suffix = SUFFIX[lang][i % len(SUFFIX[lang])]
    return (
        f"{word} {last} {suffix}" if i < len(words) * len(lasts) else f"{word} {last} {i} {suffix}"
    )


def email(first: str, last: str, i: int, domain: str = "example.com") -> str:
    clean = "".join(ch for ch in f"{first}.{last}".lower() if ch.isalnum() or ch == ".")
    return f"{clean}{i}@{domain}"


def moment(rng: random.Random, start: date, days: int) -> datetime:
    base = datetime(start.year, start.month, start.day)
    return base + timedelta(days=rng.randrange(days), seconds=rng.randrange(8 * 3600, 20 * 3600))


def later(rng: random.Random, when: datetime, low: int, high: int) -> datetime:
    return when + timedelta(days=rng.randint(low, high), seconds=rng.randrange(3600 * 8))


def money(value: float, style: str = "en") -> str:
    """``en`` 1234.50, ``en,`` 1,234.50, ``eu`` 1.234,50, ``eu-plain`` 1234,50, ``fr`` 1 234,50."""
    text = f"{value:,.2f}"
    if style == "en":
        return text.replace(",", "")
    if style == "en,":
        return text
    if style == "eu":
        return text.replace(",", "_").replace(".", ",").replace("_", ".")
    if style == "eu-plain":
        return text.replace(",", "").replace(".", ",")
    if style == "fr":
        return text.replace(",", " ").replace(".", ",")
    raise ValueError(style)


def code(
    rng: random.Random, size: int, alphabet: str = string.ascii_letters + string.digits
) -> str:
    return "".join(rng.choice(alphabet) for _ in range(size))


def pick_weighted(rng: random.Random, options: list[tuple[str, int]]) -> str:
    values, weights = zip(*options, strict=True)
    return rng.choices(values, weights=weights)[0]
