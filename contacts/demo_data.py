"""The raw material of the demo network: German and Austrian names, places, companies, clubs."""

from __future__ import annotations

from dataclasses import dataclass

from contacts.choices import Channel, Circle, OrganisationKind

FEMALE_FIRST_NAMES = (
    "Anna", "Katharina", "Sabine", "Claudia", "Birgit", "Ute", "Bärbel", "Lena", "Sophie", "Johanna",
    "Franziska", "Theresa", "Veronika", "Magdalena", "Julia", "Miriam", "Nicole", "Stefanie", "Käthe",
    "Elke", "Renate", "Dörte", "Maren", "Annika", "Ingrid", "Christiane", "Petra", "Andrea", "Susanne",
    "Mareike", "Leonie", "Hannelore", "Gülay", "Jördis", "Lotte",
)  # fmt: skip
MALE_FIRST_NAMES = (
    "Jürgen", "Sören", "Jörg", "Björn", "Günter", "Uwe", "Klaus", "Matthias", "Stefan", "Thomas",
    "Andreas", "Michael", "Florian", "Maximilian", "Lukas", "Tobias", "Sebastian", "Christoph",
    "Wolfgang", "Dieter", "Ralf", "Holger", "Henrik", "Felix", "Niklas", "Bernd", "Rüdiger", "Markus",
    "Alexander", "Georg", "Johannes", "Franz", "Leopold", "Alois", "Ferdinand", "Jörn",
)  # fmt: skip
LAST_NAMES = (
    "Weiß", "Groß", "Müller", "Schmidt", "Schneider", "Fischer", "Meyer", "Wagner", "Becker", "Schulz",
    "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann",
    "Schwarz", "Zimmermann", "Braun", "Krüger", "Hartmann", "Lange", "Werner", "Krause", "Lehmann",
    "Köhler", "Herrmann", "König", "Walter", "Huber", "Kaiser", "Fuchs", "Möller", "Jung", "Hahn",
    "Vogel", "Keller", "Günther", "Berger", "Winkler", "Lorenz", "Baumann", "Böhm", "Jäger", "Sommer",
    "Brandt", "Haas", "Graf", "Kühn", "Engel", "Voß", "Gruber", "Pichler", "Steiner", "Moser", "Hofer",
    "Leitner", "Wimmer", "Egger", "Strauß", "Nußbaum", "Weißenböck", "Großmann", "Dürr", "Blümel",
    "Fröhlich", "Schütz",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class City:
    name: str
    country: str  # "DE" or "AT"
    prefix: str  # E.164 prefix of the landline area
    digits: int  # subscriber digits after the prefix


CITIES = {
    city.name: city
    for city in (
        City("Berlin", "DE", "+49301234", 4),
        City("Hamburg", "DE", "+4940", 8),
        City("München", "DE", "+4989", 8),
        City("Köln", "DE", "+49221", 7),
        City("Frankfurt am Main", "DE", "+4969", 8),
        City("Stuttgart", "DE", "+49711", 7),
        City("Düsseldorf", "DE", "+49211", 7),
        City("Essen", "DE", "+49201", 7),
        City("Dresden", "DE", "+49351", 7),
        City("Nürnberg", "DE", "+49911", 7),
        City("Freiburg", "DE", "+49761", 7),
        City("Wien", "AT", "+431", 7),
        City("Innsbruck", "AT", "+43512", 6),
        City("Graz", "AT", "+43316", 6),
        City("Salzburg", "AT", "+43662", 6),
    )
}
MOBILE_PREFIXES = {
    "DE": (("+49170", 7), ("+49171", 7), ("+49172", 7), ("+49175", 7), ("+49151", 8), ("+49176", 8)),
    "AT": (("+43664", 7), ("+43676", 7), ("+43650", 7), ("+43699", 8)),
}


@dataclass(frozen=True, slots=True)
class Company:
    name: str
    domain: str
    city: str


COMPANIES = (
    Company("Brandt Maschinenbau GmbH", "brandt-maschinenbau.example", "Stuttgart"),
    Company("Hanseatische Logistik AG", "hanseatische-logistik.example", "Hamburg"),
    Company("Bäckerei Groß e.K.", "baeckerei-gross.example", "München"),
    Company("Rheinland Versicherung AG", "rheinland-versicherung.example", "Köln"),
    Company("Spree Digital GmbH", "spree-digital.example", "Berlin"),
    Company("Isar Consulting GmbH", "isar-consulting.example", "München"),
    Company("Weiß Steuerberatung GmbH", "weiss-steuerberatung.example", "Frankfurt am Main"),
    Company("Mainufer Kapital AG", "mainufer-kapital.example", "Frankfurt am Main"),
    Company("Nordlicht Medien GmbH", "nordlicht-medien.example", "Hamburg"),
    Company("Schwarzwald Feinmechanik GmbH", "schwarzwald-feinmechanik.example", "Freiburg"),
    Company("Buchhandlung Krüger e.K.", "buchhandlung-krueger.example", "Köln"),
    Company("Ruhrtal Energie AG", "ruhrtal-energie.example", "Essen"),
    Company("Elbflorenz Software GmbH", "elbflorenz-software.example", "Dresden"),
    Company("Autohaus König e.K.", "autohaus-koenig.example", "Nürnberg"),
    Company("Kanzlei Hartmann & Lange", "hartmann-lange.example", "Düsseldorf"),
    Company("Grünwerk Bio-Lebensmittel GmbH", "gruenwerk.example", "Berlin"),
    Company("Kiezküche Catering GmbH", "kiezkueche.example", "Berlin"),
    Company("Alpenblick Software GmbH", "alpenblick-software.example", "Wien"),
    Company("Donau Consulting GmbH", "donau-consulting.example", "Wien"),
    Company("Kaffeerösterei Huber GmbH", "roesterei-huber.example", "Wien"),
    Company("Tiroler Seilbahntechnik GmbH", "seilbahntechnik.example", "Innsbruck"),
    Company("Murtal Medizintechnik GmbH", "murtal-medizintechnik.example", "Graz"),
    Company("Mozartstadt Events GmbH", "mozartstadt-events.example", "Salzburg"),
)
PRIVATE_DOMAINS = ("posteingang.example", "mailbox.example", "privat.example")


@dataclass(frozen=True, slots=True)
class Position:
    male: str
    female: str
    key: bool
    tag: str = ""


POSITIONS: tuple[Position, ...] = (
    Position("Geschäftsführer", "Geschäftsführerin", key=True),
    Position("Vorstand", "Vorständin", key=True),
    Position("Vertriebsleiter", "Vertriebsleiterin", key=True),
    Position("Leiter Einkauf", "Leiterin Einkauf", key=True),
    Position("Personalleiter", "Personalleiterin", key=True),
    Position("Prokurist", "Prokuristin", key=True),
    Position("Inhaber", "Inhaberin", key=True),
    Position("Partner", "Partnerin", key=True),
    Position("Bereichsleiter IT", "Bereichsleiterin IT", key=True),
    Position("Einkauf", "Einkauf", key=False),
    Position("Personalreferent", "Personalreferentin", key=False),
    Position("Steuerberater", "Steuerberaterin", key=False),
    Position("Marketingmanager", "Marketingmanagerin", key=False),
    Position("Key Account Manager", "Key Account Managerin", key=False),
    Position("Projektleiter", "Projektleiterin", key=False),
    Position("Referent der Geschäftsführung", "Referentin der Geschäftsführung", key=False),
    Position("Rechtsanwalt", "Rechtsanwältin", key=False),
    Position("Berater", "Beraterin", key=False),
    Position("Redakteur", "Redakteurin", key=False, tag="Presse"),
    Position("Investmentmanager", "Investmentmanagerin", key=False, tag="Investor"),
    Position("Business Angel", "Business Angel", key=False, tag="Investor"),
)
FREELANCE_POSITIONS: tuple[Position, ...] = (
    Position("Steuerberater", "Steuerberaterin", key=False),
    Position("Freier Journalist", "Freie Journalistin", key=False, tag="Presse"),
    Position("Coach", "Coach", key=False),
    Position("Business Angel", "Business Angel", key=False, tag="Investor"),
)


@dataclass(frozen=True, slots=True)
class OrganisationSpec:
    name: str
    kind: str
    place: str
    notes: str = ""


ORGANISATIONS = (
    OrganisationSpec(
        "Marketing-Club Köln", OrganisationKind.CLUB, "Köln", "Stammtisch jeden ersten Dienstag im Monat."
    ),
    OrganisationSpec(
        "Rotary Club München-Isartal", OrganisationKind.CLUB, "München", "Meeting donnerstags, 12:30 Uhr."
    ),
    OrganisationSpec(
        "BNI Chapter Hamburg", OrganisationKind.CLUB, "Hamburg", "Frühstückstreffen mittwochs um 7."
    ),
    OrganisationSpec("Wirtschaftsjunioren Wien", OrganisationKind.ASSOCIATION, "Wien"),
    OrganisationSpec(
        "Alumni-Verein WHU", OrganisationKind.ASSOCIATION, "Vallendar", "Jahrestreffen im Juni."
    ),
    OrganisationSpec("IHK-Netzwerkabend Stuttgart", OrganisationKind.OTHER, "Stuttgart"),
    OrganisationSpec("Sommerfest Spree Digital 2025", OrganisationKind.COMPANY_EVENT, "Berlin"),
    OrganisationSpec(
        "DMEXCO 2025", OrganisationKind.TRADE_FAIR, "Köln", "Halle 7, Stand der Nordlicht Medien."
    ),
    OrganisationSpec("Frankfurter Buchmesse 2025", OrganisationKind.TRADE_FAIR, "Frankfurt am Main"),
)
CLUB_ORGANISATIONS = (
    "Marketing-Club Köln",
    "Rotary Club München-Isartal",
    "BNI Chapter Hamburg",
    "Wirtschaftsjunioren Wien",
    "Alumni-Verein WHU",
)
VENUES_BY_CHANNEL: dict[str, tuple[str, ...]] = {
    Channel.CLUB: CLUB_ORGANISATIONS,
    Channel.EVENT: ("IHK-Netzwerkabend Stuttgart", "Sommerfest Spree Digital 2025"),
    Channel.TRADE_FAIR: ("DMEXCO 2025", "Frankfurter Buchmesse 2025"),
}
ALUMNI_CLUB = "Alumni-Verein WHU"
CITY_TAGS = ("Berlin", "Wien", "München", "Hamburg")

# How a contact was first met, by circle: strong ties were mostly met in person.
CHANNEL_WEIGHTS: dict[str, dict[str, float]] = {
    Circle.STRONG: {
        Channel.EVENT: 3, Channel.CLUB: 3, Channel.TRADE_FAIR: 2, Channel.REFERRAL: 3,
        Channel.OTHER: 2, Channel.LINKEDIN: 1, Channel.XING: 1, Channel.EMAIL: 0.5,
    },
    Circle.REGULAR: {
        Channel.EVENT: 3, Channel.CLUB: 2, Channel.TRADE_FAIR: 2, Channel.REFERRAL: 2,
        Channel.OTHER: 1, Channel.LINKEDIN: 2, Channel.XING: 2, Channel.EMAIL: 1,
        Channel.FACEBOOK: 0.5, Channel.X: 0.5,
    },
    Circle.LOOSE: {
        Channel.LINKEDIN: 5, Channel.XING: 4, Channel.FACEBOOK: 1, Channel.X: 1, Channel.EMAIL: 1,
        Channel.EVENT: 2, Channel.TRADE_FAIR: 2, Channel.CLUB: 1, Channel.OTHER: 0.5,
    },
}  # fmt: skip

NOTES = (
    "Sehr offen, hat beim ersten Gespräch sofort Hilfe angeboten.",
    "Spielt Golf, Handicap 14. Fragt gern nach Turnieren.",
    "Zwei Kinder, die Tochter studiert in Wien.",
    "Sucht Kontakte im Einkauf der Automobilbranche.",
    "Möchte im Frühjahr ein gemeinsames Webinar machen.",
    "Trinkt keinen Kaffee, lieber grünen Tee.",
    "Fährt jedes Jahr zum Skifahren nach Kitzbühel.",
    "Hat ein Buch über Vertrieb geschrieben, unbedingt lesen.",
    "Schätzt handgeschriebene Karten mehr als E-Mails.",
    "Bevorzugt Termine am frühen Morgen, nie freitags.",
    "Engagiert sich ehrenamtlich im Sportverein ihres Sohnes.",
    "Wechselt zum Jahresende den Arbeitgeber: dranbleiben.",
    "Segelt im Sommer auf dem Chiemsee.",
    "Ehemalige Kollegin aus der Zeit bei der Unternehmensberatung.",
)
PROSPECT_NOTES = (
    "Interessent: Angebot für den Workshop geschickt, nächster Schritt ein Telefonat.",
    "Interessiert an unserem Beratungsangebot, Budget frühestens ab Q3.",
)
CUSTOMER_NOTES = (
    "Kunde seit 2023, Rahmenvertrag läuft bis Ende 2026.",
    "Kunde: zweites Projekt in Planung, Empfehlung an Kollegen zugesagt.",
)
NOT_NOW_NOTES = ("Kein Bedarf im Moment, in einem Jahr wieder anfragen.",)
