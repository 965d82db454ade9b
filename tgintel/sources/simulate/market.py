"""Market conventions the simulator writes by: currencies and how each market writes prices, payment
methods as people name them, emoji, look-alike letters, names and handles.

``PAYMENT_SURFACES`` is the complete list of payment-method words the simulator ever writes, with the
canonical names of the entity contract; every other string the simulator writes avoids these words, so an
extractor's payment-method output can be scored exactly against the ground truth.
"""

from __future__ import annotations

# How one language's market writes a price: format string and ISO code of the entity value.
PRICE_STYLES: dict[str, list[tuple[str, str]]] = {
    "en": [("${a}", "USD"), ("£{a}", "GBP"), ("€{a}", "EUR"), ("{a} USD", "USD"), ("{a} USDT", "USDT")],
    "nl": [("€{a}", "EUR"), ("{a}€", "EUR"), ("{a} EUR", "EUR"), ("€ {a}", "EUR")],
    "de": [("{a}€", "EUR"), ("{a} €", "EUR"), ("{a} EUR", "EUR"), ("{a} USDT", "USDT")],
    "fi": [("{a}€", "EUR"), ("{a} €", "EUR"), ("{a} EUR", "EUR")],
    "ru": [("{a}₽", "RUB"), ("{a} руб", "RUB"), ("{a} RUB", "RUB"), ("{a}$", "USD"), ("{a} USDT", "USDT")],
}
CRYPTO_PRICE_STYLES = [("{a} BTC", "BTC"), ("{a} XMR", "XMR")]

# Units of currency per euro (rough; only the order of magnitude matters for realism).
PER_EUR = {"EUR": 1.0, "USD": 1.1, "GBP": 0.85, "USDT": 1.1, "RUB": 100.0, "BTC": 1 / 60000, "XMR": 1 / 150}

# Typical euro price range of one item line per category.
CATEGORY_PRICE = {
    "drugs": (10, 400),
    "weapons": (300, 3500),
    "stolen_data": (5, 300),
    "financial_fraud": (50, 1500),
    "counterfeit_documents": (80, 2500),
    "counterfeit_goods": (20, 400),
    "cybercrime_tools": (30, 1200),
    "sexual_exploitation": (10, 200),
    "csam_indicator": (10, 100),
    "violent_content": (5, 60),
    "sanctions_evasion": (400, 9000),
}

PAYMENT_SURFACES: dict[str, list[tuple[str, str]]] = {
    "common": [
        ("PayPal", "paypal"),
        ("Revolut", "revolut"),
        ("Wise", "wise"),
        ("Western Union", "western_union"),
        ("MoneyGram", "moneygram"),
        ("Paysafecard", "paysafecard"),
        ("Skrill", "skrill"),
        ("Apple Pay", "apple_pay"),
        ("Google Pay", "google_pay"),
    ],
    "en": [
        ("bank transfer", "bank_transfer"),
        ("gift cards", "gift_card"),
        ("cash", "cash"),
        ("crypto", "crypto"),
        ("Cash App", "cashapp"),
        ("Zelle", "zelle"),
        ("Venmo", "venmo"),
    ],
    "nl": [
        ("iDEAL", "ideal"),
        ("Tikkie", "tikkie"),
        ("contant", "cash"),
        ("crypto", "crypto"),
        ("bankoverschrijving", "bank_transfer"),
    ],
    "de": [
        ("Überweisung", "bank_transfer"),
        ("Bargeld", "cash"),
        ("Krypto", "crypto"),
        ("Amazon Gutschein", "gift_card"),
    ],
    "fi": [
        ("MobilePay", "mobilepay"),
        ("käteinen", "cash"),
        ("krypto", "crypto"),
        ("tilisiirto", "bank_transfer"),
    ],
    "ru": [
        ("QIWI", "qiwi"),
        ("ЮMoney", "yoomoney"),
        ("СБП", "sbp"),
        ("крипта", "crypto"),
        ("наличные", "cash"),
        ("перевод на карту", "card"),
    ],
}

HEADER_EMOJI = ["🔥", "💎", "✅", "⭐", "🚀", "💯", "⚡", "🌟", "📦", "👑", "🍀", "❄️", "💊", "🔫", "💳", "📄"]
BULLETS = ["•", "▪️", "➖", "✔️", "-", "🔹", "▫️", "👉"]
CONTACT_EMOJI = ["📩", "📲", "✉️", "☎️", "💬", "👤"]
PAY_EMOJI = ["💰", "💳", "🏦", "💸"]
CHAT_EMOJI = ["😂", "🙏", "👍", "🤔", "😅", "🔥", "👀", "💀", ""]

# Latin letters and their Cyrillic twins; swapping them is how posts dodge keyword filters.
LATIN_TO_CYRILLIC = {
    "a": "а",
    "e": "е",
    "o": "о",
    "p": "р",
    "c": "с",
    "x": "х",
    "y": "у",
    "A": "А",
    "E": "Е",
    "O": "О",
    "P": "Р",
    "C": "С",
    "X": "Х",
    "H": "Н",
    "K": "К",
    "M": "М",
    "T": "Т",
    "B": "В",
}
CYRILLIC_TO_LATIN = {v: k for k, v in LATIN_TO_CYRILLIC.items()}

FIRST_NAMES = {
    "en": [
        "Jake",
        "Mike",
        "Chris",
        "Ryan",
        "Emma",
        "Olivia",
        "Liam",
        "Noah",
        "Ava",
        "Mason",
        "Tyler",
        "Josh",
    ],
    "nl": [
        "Daan",
        "Sem",
        "Lucas",
        "Jesse",
        "Sanne",
        "Lotte",
        "Bram",
        "Thijs",
        "Fleur",
        "Milan",
        "Ruben",
        "Noor",
    ],
    "de": [
        "Lukas",
        "Leon",
        "Finn",
        "Jonas",
        "Lena",
        "Mia",
        "Felix",
        "Paul",
        "Anna",
        "Tim",
        "Niklas",
        "Sarah",
    ],
    "ru": [
        "Алексей",
        "Дмитрий",
        "Иван",
        "Максим",
        "Анна",
        "Ольга",
        "Сергей",
        "Никита",
        "Мария",
        "Артем",
        "Егор",
    ],
    "fi": [
        "Mikko",
        "Juha",
        "Jari",
        "Antti",
        "Aino",
        "Emilia",
        "Ville",
        "Tuomas",
        "Laura",
        "Eetu",
        "Joni",
        "Sanna",
    ],
}
HANDLE_PARTS = (
    [
        "green",
        "dutch",
        "nordic",
        "black",
        "royal",
        "fast",
        "ghost",
        "frost",
        "lucky",
        "dark",
        "silver",
        "euro",
        "baltic",
        "north",
        "snow",
        "red",
        "gold",
        "shadow",
        "iron",
        "rapid",
        "mister",
        "doc",
    ],
    [
        "plug",
        "shop",
        "dealer",
        "store",
        "king",
        "market",
        "express",
        "supply",
        "hub",
        "depot",
        "lab",
        "connect",
        "vendor",
        "boss",
        "trade",
        "dropper",
        "guy",
        "zone",
    ],
)
CHANNEL_WORDS = {
    "en": ["Market", "Vendors", "Deals", "Trade", "Underground", "Bazaar", "Exchange", "Board"],
    "nl": ["Markt", "Handel", "Verkopers", "Plaats", "Deals", "Beurs"],
    "de": ["Markt", "Handel", "Verkäufer", "Börse", "Deals", "Basar"],
    "ru": ["Барахолка", "Рынок", "Площадка", "Маркет", "Биржа", "Чат"],
    "fi": ["Tori", "Kauppa", "Myyjät", "Kauppapaikka", "Pörssi", "Diilit"],
}
CHANNEL_PLACES = {
    "en": ["London", "Manchester", "Dublin", "Global", "EU", "Worldwide", "UK"],
    "nl": ["Amsterdam", "Rotterdam", "Utrecht", "Den Haag", "Eindhoven", "Nederland", "Brabant"],
    "de": ["Berlin", "Hamburg", "München", "Köln", "Frankfurt", "Deutschland", "NRW"],
    "ru": ["Москва", "Питер", "Казань", "Екб", "Новосиб", "РФ", "СНГ"],
    "fi": ["Helsinki", "Tampere", "Turku", "Oulu", "Suomi", "Espoo"],
}
# Names investment and giveaway scams run under (neutral words: no category or payment-method cue).
SCAM_BRANDS = (
    [
        "Nova",
        "Apex",
        "Zenith",
        "Orion",
        "Vertex",
        "Atlas",
        "Lumen",
        "Nexus",
        "Vega",
        "Helix",
        "Aurora",
        "Titan",
    ],
    ["Capital", "Group", "Club", "Global", "Partners", "Prime", "One", "Circle", "Team", "Line"],
)
URL_TLDS = ["xyz", "shop", "top", "cc", "io", "to", "store"]
URL_PATHS = ["menu", "catalog", "order", "shop", "prices", "products", "buy"]
EMAIL_DOMAINS = ["protonmail.com", "tutanota.com", "onionmail.org", "cock.li", "proton.me"]
PHONE_COUNTRY = {"en": "GB", "nl": "NL", "de": "DE", "ru": "RU", "fi": "FI"}
IBAN_COUNTRY = {"en": "GB", "nl": "NL", "de": "DE", "ru": "LT", "fi": "FI"}
