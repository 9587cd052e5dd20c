"""Demo employers for `seed_demo`: 15 invented Thuringian companies with about 40 positions.

The companies work in several WZ sectors in Erfurt, Jena, Gera, Weimar, Gotha,
Nordhausen, Eisenach, Suhl, Mühlhausen and Ilmenau; nine of them are engaged in the
candidates' home regions (Syria, Iraq, Afghanistan, Ukraine, Eritrea, Tunisia) and
eight positions are return positions abroad. All names, addresses and people are
invented; websites and e-mail addresses use reserved `.example` domains.

Deterministic (no randomness; dates are relative to today) and idempotent: each demo
employer is keyed by its name, its positions by their title, its contacts by name and
its regions of engagement by country and region. Towns, regions, languages and
occupations are looked up in the database; where one is missing (e.g. reference data
loaded for fewer countries) the row that needs it is skipped, so loading never fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from bridges.models import AuditEvent, CEFRLevel, Language, OccupationLabel, Place, Region, User
from bridges.services import audit_log
from employers.models import (
    ContactPerson,
    Employer,
    EngagementRegion,
    LanguageRequirement,
    LegalForm,
    Membership,
    Position,
    PositionSkill,
    Sector,
    SizeBand,
)
from employers.services import log_review, skills_for_occupation

T = Position.PositionType
S = Position.Status
K = EngagementRegion.Kind
NATIVE = CEFRLevel.NATIVE
B1, B2 = CEFRLevel.B1, CEFRLevel.B2
APPRENTICESHIP_START = "apprenticeship"  # the next 1 August at least a month ahead

# Occupations by the German preferred label of bridges/demo_taxonomy.py.
WELDER = "Schweißer/in"
ELECTRICIAN = "Elektriker/in"
CARE_ASSISTANT = "Pflegehelfer/in"
WAREHOUSE = "Lagerhelfer/in"
COOK = "Koch/Köchin"
TRUCK_DRIVER = "Berufskraftfahrer/in"
IT_SUPPORT = "IT-Support-Techniker/in"
CONSTRUCTION = "Bauhelfer/in"
FARM = "Landwirtschaftliche Hilfskraft"
INTERPRETER = "Dolmetscher/in"
MECHATRONICS = "Mechatroniker/in"
OFFICE = "Kaufmann/Kauffrau für Büromanagement"
KITCHEN = "Küchenhilfe"
SOLAR = "Solarteur/in"

# The reference data holds first-level subdivisions only: Erbil (IQ-AR) lies in the
# Kurdistan Region (IQ-KR), so IQ-AR is used where it is loaded, else IQ-KR.
REGION_FALLBACKS = {"IQ-AR": "IQ-KR", "IQ-DA": "IQ-KR", "IQ-SU": "IQ-KR"}


@dataclass(frozen=True)
class Contact:
    name: str
    role: str
    email: str
    phone: str
    is_public: bool = False


@dataclass(frozen=True)
class Engagement:
    country: str
    region: str  # ISO 3166-2 code
    kind: str
    note: str


@dataclass(frozen=True)
class Job:
    title: str
    occupation: str  # German preferred label
    position_type: str
    description: str
    languages: tuple[tuple[str, int, bool], ...]  # (language code, minimum level, required)
    status: str = S.OPEN
    region: str = ""  # ISO 3166-2 code: the position is abroad, in this region's country
    start_in: int | str = 30  # days from today, or APPRENTICESHIP_START
    expires_in: int = 90  # days from today
    working_time: str = Position.WorkingTime.FULL
    hours: int | None = 40
    fixed_term: bool = False
    openings: int = 1
    salary: tuple[int, int] | None = None
    driving_licence: str = ""
    provides_training: bool = False
    provides_language_support: bool = False
    career_changers: bool = False
    work_permission: bool = True


@dataclass(frozen=True)
class Company:
    name: str
    legal_form: str
    sector: str
    size: str
    street: str
    postal_code: str
    town: str
    website: str
    description: str
    contacts: tuple[Contact, ...]
    jobs: tuple[Job, ...]
    engagements: tuple[Engagement, ...] = ()
    approved: bool = True
    offers_training: bool = False
    offers_language_courses: bool = False


def _abroad(title, occupation, description, region, languages, **kwargs) -> Job:
    return Job(
        title=title,
        occupation=occupation,
        position_type=T.RETURN_ABROAD,
        description=description,
        region=region,
        languages=languages,
        work_permission=False,
        **{"start_in": 90, "expires_in": 120, **kwargs},
    )


COMPANIES: tuple[Company, ...] = (
    Company(
        name="Amsel Metallbau GmbH",
        legal_form=LegalForm.GMBH,
        sector=Sector.C,
        size=SizeBand.MEDIUM,
        street="Mittelhäuser Straße 31",
        postal_code="99091",
        town="Erfurt",
        website="https://amsel-metallbau.example",
        description=(
            "Stahl- und Metallbau für Hallen, Treppen und Geländer mit 85 Beschäftigten. "
            "Wir arbeiten mit Partnerbetrieben in Aleppo und Erbil zusammen und bilden seit "
            "vielen Jahren selbst aus."
        ),
        offers_training=True,
        offers_language_courses=True,
        contacts=(
            Contact("Katrin Amsel", "Geschäftsführerin", "k.amsel@amsel-metallbau.example", "0361 5550 1410", True),
            Contact("Jörg Weidemann", "Werkstattleiter", "j.weidemann@amsel-metallbau.example", "0361 5550 1422"),
        ),
        engagements=(
            Engagement("SY", "SY-HL", K.PARTNER, "Partnerwerkstatt für Stahlbau und Reparaturen in Aleppo"),
            Engagement("IQ", "IQ-AR", K.PROJECT, "Montage von Stahlhallen für ein Logistikzentrum bei Erbil"),
        ),
        jobs=(
            Job(
                "Schweißer/in (m/w/d) MAG/WIG im Stahlbau",
                WELDER,
                T.EMPLOYMENT,
                "Sie schweißen Bauteile für Hallen, Treppen und Geländer nach Zeichnung in unserer Werkstatt in "
                "Erfurt-Nord. Erfahrung mit MAG oder WIG ist wichtig, ein Schweißerpass ist von Vorteil. "
                "Wir unterstützen Sie mit einem Deutschkurs während der Arbeitszeit.",
                (("de", B1, True),),
                start_in=30,
                expires_in=90,
                openings=2,
                salary=(2900, 3500),
                provides_language_support=True,
            ),
            Job(
                "Ausbildung Metallbauer/in (m/w/d) – Konstruktionstechnik",
                WELDER,
                T.APPRENTICESHIP,
                "Drei Jahre Ausbildung in Werkstatt und Montage, die Berufsschule ist in Erfurt. "
                "Sie lernen Schweißen, Biegen und Montieren und arbeiten früh an echten Aufträgen mit. "
                "Nachhilfe in Fachdeutsch übernehmen wir.",
                (("de", B1, True),),
                start_in=APPRENTICESHIP_START,
                expires_in=120,
                openings=2,
                salary=(1000, 1200),
                provides_training=True,
                provides_language_support=True,
            ),
            Job(
                "Qualifizierung Schweißen nach DIN EN ISO 9606 (8 Wochen)",
                WELDER,
                T.QUALIFICATION,
                "In acht Wochen bereiten wir Sie in unserer Lehrwerkstatt auf die Schweißerprüfung vor. "
                "Der Kurs eignet sich für Menschen mit Erfahrung im Metallhandwerk aus dem Herkunftsland. "
                "Wer besteht, bekommt ein Angebot für eine Festanstellung.",
                (("de", B1, True),),
                start_in=45,
                expires_in=75,
                openings=4,
                hours=38,
                fixed_term=True,
                provides_training=True,
                career_changers=True,
                work_permission=False,
            ),
            _abroad(
                "Schweißer/in (m/w/d) für unsere Partnerwerkstatt in Aleppo",
                WELDER,
                "Unsere Partnerwerkstatt in Aleppo repariert Stahlkonstruktionen und baut Hallen wieder auf. "
                "Sie arbeiten dort nach deutschen Qualitätsstandards und sind Ansprechperson für unser Team in "
                "Erfurt. Vor der Ausreise lernen Sie unsere Verfahren drei Monate lang in Erfurt kennen.",
                "SY-HL",
                (("ar", NATIVE, True), ("en", B1, False)),
                start_in=120,
            ),
        ),
    ),
    Company(
        name="Saalesonne Solartechnik GmbH",
        legal_form=LegalForm.GMBH,
        sector=Sector.F,
        size=SizeBand.SMALL,
        street="Göschwitzer Straße 20",
        postal_code="07745",
        town="Jena",
        website="https://saalesonne-solar.example",
        description=(
            "Planung und Montage von Photovoltaikanlagen und Speichern für Privathaushalte und Betriebe "
            "im Saale-Holzland. Für Wohnhäuser und Kliniken in Damaskus planen wir Solarprojekte."
        ),
        offers_training=True,
        contacts=(Contact("Tobias Hertel", "Montageleiter", "jobs@saalesonne-solar.example", "03641 555 2730", True),),
        engagements=(
            Engagement("SY", "SY-DI", K.PLANNED, "Solaranlagen für Wohnhäuser und Kliniken in Damaskus in Planung"),
        ),
        jobs=(
            Job(
                "Solarteur/in (m/w/d) für PV-Anlagen auf Dächern",
                SOLAR,
                T.EMPLOYMENT,
                "Sie montieren Photovoltaikmodule, Wechselrichter und Speicher bei unseren Kundinnen und Kunden "
                "in Jena und Umgebung. Sie arbeiten im Zweierteam und sind schwindelfrei. "
                "Ein Führerschein Klasse B ist nötig, ein Firmenwagen steht bereit.",
                (("de", B1, True),),
                start_in=21,
                expires_in=70,
                salary=(2800, 3400),
                driving_licence="B",
            ),
            Job(
                "Helfer/in PV-Montage (m/w/d) – Quereinstieg willkommen",
                SOLAR,
                T.EMPLOYMENT,
                "Sie unterstützen unsere Montageteams beim Aufbau von Gestellen und Modulen. "
                "Erfahrung auf dem Bau oder im Handwerk hilft, alles Weitere lernen Sie bei uns. "
                "Nach einem Jahr ist die Weiterbildung zur Elektrofachkraft für festgelegte Tätigkeiten möglich.",
                (("de", B1, False),),
                start_in=14,
                expires_in=60,
                openings=2,
                salary=(2400, 2700),
                provides_training=True,
                career_changers=True,
            ),
        ),
    ),
    Company(
        name="Seniorenresidenz Elsterblick GmbH",
        legal_form=LegalForm.GMBH,
        sector=Sector.Q,
        size=SizeBand.MEDIUM,
        street="Elsterdamm 14",
        postal_code="07545",
        town="Gera",
        website="https://elsterblick-gera.example",
        description=(
            "Stationäre Pflege und Tagespflege für 140 Bewohnerinnen und Bewohner an der Weißen Elster. "
            "Wir haben Erfahrung mit internationalen Pflegekräften und begleiten sie bei der Anerkennung."
        ),
        offers_training=True,
        offers_language_courses=True,
        contacts=(
            Contact("Sabine Kühn", "Pflegedienstleitung", "bewerbung@elsterblick-gera.example", "0365 555 3810", True),
            Contact("Marco Lehmann", "Personalreferent", "m.lehmann@elsterblick-gera.example", "0365 555 3815"),
        ),
        jobs=(
            Job(
                "Pflegehelfer/in (m/w/d) in Voll- oder Teilzeit",
                CARE_ASSISTANT,
                T.EMPLOYMENT,
                "Sie unterstützen unsere Bewohnerinnen und Bewohner bei Körperpflege, Essen und Bewegung "
                "und dokumentieren Ihre Arbeit. Eine erfahrene Kollegin arbeitet Sie ein. "
                "Wir bezahlen nach Tarif und zahlen Zuschläge für Wochenenddienste.",
                (("de", B1, True),),
                start_in=14,
                expires_in=90,
                openings=3,
                salary=(2600, 2950),
                provides_language_support=True,
            ),
            Job(
                "Ausbildung Pflegefachhelfer/in (m/w/d) – ein Jahr",
                CARE_ASSISTANT,
                T.APPRENTICESHIP,
                "Die einjährige Ausbildung verbindet Unterricht an der Pflegeschule in Gera mit Praxis in unserem "
                "Haus. Danach können Sie als Pflegefachhelfer/in arbeiten oder die dreijährige Ausbildung "
                "anschließen. Wir fördern Sie mit berufsbezogenem Deutschunterricht.",
                (("de", B1, True),),
                start_in=APPRENTICESHIP_START,
                expires_in=120,
                openings=2,
                salary=(1150, 1300),
                provides_training=True,
                provides_language_support=True,
            ),
            Job(
                "Küchenhilfe (m/w/d) für unsere Heimküche",
                KITCHEN,
                T.EMPLOYMENT,
                "Sie bereiten mit unserem Küchenteam Frühstück und Mittagessen für die Bewohnerinnen und "
                "Bewohner vor und halten die Küche sauber. Die Arbeitszeit liegt zwischen 6 und 14 Uhr.",
                (("de", B1, False),),
                status=S.FILLED,
                start_in=7,
                expires_in=60,
                working_time=Position.WorkingTime.PART,
                hours=30,
                salary=(1700, 1900),
            ),
        ),
    ),
    Company(
        name="Ringelberg Logistik GmbH & Co. KG",
        legal_form=LegalForm.KG,
        sector=Sector.H,
        size=SizeBand.LARGE,
        street="Am Güterbahnhof 7",
        postal_code="99095",
        town="Erfurt",
        website="https://ringelberg-logistik.example",
        description=(
            "Kontraktlogistik und Stückgutverkehr vom Standort Erfurt-Stotternheim aus, mit 320 Beschäftigten. "
            "Mit einem Partner betreiben wir ein Umschlaglager bei Lwiw für Transporte in die Ukraine."
        ),
        contacts=(
            Contact(
                "Heike Schuster", "Personalleiterin", "karriere@ringelberg-logistik.example", "0361 555 4200", True
            ),
            Contact("Andrij Melnyk", "Niederlassungsleiter Lwiw", "a.melnyk@ringelberg-logistik.example", ""),
        ),
        engagements=(Engagement("UA", "UA-46", K.PARTNER, "Umschlaglager eines Partnerunternehmens bei Lwiw"),),
        jobs=(
            Job(
                "Lagerhelfer/in (m/w/d) im Schichtbetrieb",
                WAREHOUSE,
                T.EMPLOYMENT,
                "Sie kommissionieren Waren mit dem Handscanner, be- und entladen Lkw und prüfen Lieferungen. "
                "Gearbeitet wird im Zweischichtbetrieb von Montag bis Freitag. "
                "Den Staplerschein können Sie bei uns machen.",
                (("de", B1, False),),
                start_in=14,
                expires_in=60,
                openings=4,
                salary=(2300, 2600),
                provides_training=True,
                career_changers=True,
            ),
            Job(
                "Berufskraftfahrer/in CE (m/w/d) im Nahverkehr",
                TRUCK_DRIVER,
                T.EMPLOYMENT,
                "Sie beliefern mit dem Sattelzug Kunden in Thüringen und Sachsen und sind abends zu Hause. "
                "Sie haben einen Führerschein der Klasse CE und die Berufskraftfahrer-Qualifikation. "
                "Ausländische Führerscheine helfen wir umzuschreiben.",
                (("de", B1, True),),
                start_in=30,
                expires_in=90,
                openings=2,
                salary=(2900, 3300),
                driving_licence="CE",
            ),
            Job(
                "Staplerfahrer/in (m/w/d) als Aushilfe",
                WAREHOUSE,
                T.EMPLOYMENT,
                "Zur Verstärkung in der Hochsaison suchen wir Staplerfahrerinnen und Staplerfahrer für den "
                "Wareneingang. Die Stelle ist auf sechs Monate befristet.",
                (("de", B1, False),),
                status=S.PAUSED,
                start_in=45,
                expires_in=90,
                working_time=Position.WorkingTime.PART,
                hours=20,
                fixed_term=True,
                salary=(1300, 1450),
                driving_licence="forklift",
            ),
        ),
    ),
    Company(
        name="Hotel Ilmgarten Weimar",
        legal_form=LegalForm.EK,
        sector=Sector.I,
        size=SizeBand.MEDIUM,
        street="Am Ilmpark 2",
        postal_code="99423",
        town="Weimar",
        website="https://hotel-ilmgarten.example",
        description=(
            "Stadthotel mit 96 Zimmern, Restaurant und Tagungsräumen am Park an der Ilm. "
            "Unser Küchenteam kommt aus acht Ländern."
        ),
        offers_training=True,
        contacts=(Contact("Florian Rudolph", "Küchenchef", "kueche@hotel-ilmgarten.example", "03643 555 610", True),),
        jobs=(
            Job(
                "Koch/Köchin (m/w/d) für unsere À-la-carte-Küche",
                COOK,
                T.EMPLOYMENT,
                "Sie bereiten Gerichte der regionalen und internationalen Küche zu und achten auf Hygiene nach "
                "HACCP. Sie arbeiten im Schichtdienst, auch an Wochenenden. "
                "Wir bieten ein Zimmer für die ersten Monate, wenn Sie nach Weimar ziehen.",
                (("de", B1, True),),
                start_in=30,
                expires_in=80,
                salary=(2600, 3100),
            ),
            Job(
                "Ausbildung Koch/Köchin (m/w/d)",
                COOK,
                T.APPRENTICESHIP,
                "In drei Jahren lernen Sie alle Posten einer Hotelküche kennen, vom Frühstück bis zum Bankett. "
                "Die Berufsschule ist in Weimar. Kost und Logis sind möglich.",
                (("de", B1, True),),
                start_in=APPRENTICESHIP_START,
                expires_in=110,
                salary=(1000, 1200),
                provides_training=True,
            ),
            Job(
                "Praktikum in der Hotelküche (4 Wochen)",
                COOK,
                T.INTERNSHIP,
                "Im Praktikum lernen Sie unsere Küche und den Ablauf eines Hotelbetriebs kennen. "
                "Das Praktikum eignet sich zur Orientierung vor einer Ausbildung.",
                (("de", B1, False),),
                status=S.DRAFT,
                start_in=60,
                expires_in=90,
                fixed_term=True,
                career_changers=True,
            ),
        ),
    ),
    Company(
        name="Landbäckerei Wenzelmann GmbH",
        legal_form=LegalForm.GMBH,
        sector=Sector.C,
        size=SizeBand.MEDIUM,
        street="Kindleber Straße 100",
        postal_code="99867",
        town="Gotha",
        website="https://wenzelmann-backt.example",
        description=(
            "Handwerksbäckerei mit zentraler Backstube in Gotha und 24 Filialen im Landkreis. "
            "Wir backen nach eigenen Rezepten mit Mehl aus der Region."
        ),
        contacts=(
            Contact("Uta Wenzelmann", "Inhaberin", "u.wenzelmann@wenzelmann-backt.example", "03621 555 870"),
            Contact("Personalbüro", "", "personal@wenzelmann-backt.example", "03621 555 871", True),
        ),
        jobs=(
            Job(
                "Produktionshelfer/in in der Backstube (m/w/d)",
                KITCHEN,
                T.EMPLOYMENT,
                "Sie helfen beim Abwiegen, Formen und Backen und halten Maschinen und Arbeitsplatz sauber. "
                "Die Schicht beginnt um 3 Uhr morgens, dafür ist mittags Feierabend. "
                "Erfahrung in einer Bäckerei oder Küche ist willkommen, aber keine Bedingung.",
                (("de", B1, False),),
                start_in=21,
                expires_in=75,
                openings=3,
                salary=(2250, 2500),
                career_changers=True,
            ),
            Job(
                "Auslieferungsfahrer/in (m/w/d) mit Führerschein C1",
                TRUCK_DRIVER,
                T.EMPLOYMENT,
                "Sie beliefern morgens unsere Filialen und Großkunden im Landkreis Gotha mit einem 7,5-Tonner. "
                "Ein Führerschein der Klasse C1 ist Voraussetzung.",
                (("de", B1, True),),
                status=S.FILLED,
                start_in=14,
                expires_in=60,
                working_time=Position.WorkingTime.PART,
                hours=30,
                salary=(1900, 2100),
                driving_licence="C1",
            ),
        ),
    ),
    Company(
        name="Kernberg IT-Service GmbH",
        legal_form=LegalForm.GMBH,
        sector=Sector.J,
        size=SizeBand.SMALL,
        street="Leutragraben 3",
        postal_code="07743",
        town="Jena",
        website="https://kernberg-it.example",
        description=(
            "IT-Dienstleister für Praxen, Kanzleien und Handwerksbetriebe in Ostthüringen: Netzwerke, "
            "Arbeitsplätze und Helpdesk. Mit afghanischen IT-Fachleuten planen wir ein Fernwartungsbüro in Kabul."
        ),
        offers_training=True,
        contacts=(
            Contact("Daniel Pohl", "Geschäftsführer", "d.pohl@kernberg-it.example", "03641 555 9100"),
            Contact("Lea Brandt", "Teamleitung Helpdesk", "jobs@kernberg-it.example", "03641 555 9120", True),
        ),
        engagements=(Engagement("AF", "AF-KAB", K.PLANNED, "Fernwartungsbüro mit einem Partner in Kabul geplant"),),
        jobs=(
            Job(
                "IT-Support-Techniker/in (m/w/d) im 1st- und 2nd-Level-Support",
                IT_SUPPORT,
                T.EMPLOYMENT,
                "Sie nehmen Störungen per Telefon und Ticket entgegen, lösen sie per Fernwartung oder vor Ort "
                "und richten neue Arbeitsplätze ein. Sie kennen Windows-Clients und Netzwerke. "
                "Englisch hilft bei der Dokumentation der Hersteller.",
                (("de", B2, True), ("en", B1, False)),
                start_in=30,
                expires_in=90,
                salary=(3000, 3600),
                driving_licence="B",
            ),
            Job(
                "Ausbildung Fachinformatiker/in für Systemintegration (m/w/d)",
                IT_SUPPORT,
                T.APPRENTICESHIP,
                "Drei Jahre Ausbildung in einem kleinen Team, in dem Sie von Anfang an bei Kundinnen und Kunden "
                "mitarbeiten. Die Berufsschule ist in Jena. Vorkenntnisse aus dem Herkunftsland rechnen wir an.",
                (("de", B1, True),),
                start_in=APPRENTICESHIP_START,
                expires_in=120,
                salary=(1050, 1250),
                provides_training=True,
            ),
            _abroad(
                "IT-Support (m/w/d) für unser Fernwartungsbüro in Kabul",
                IT_SUPPORT,
                "Im geplanten Fernwartungsbüro betreuen Sie die Arbeitsplätze unserer Kundinnen und Kunden "
                "aus der Ferne und arbeiten eng mit dem Team in Jena zusammen. "
                "Die Einarbeitung findet in Jena statt. Sie sprechen Dari und gutes Englisch.",
                "AF-KAB",
                (("prs", NATIVE, True), ("en", B1, True)),
                start_in=150,
            ),
        ),
    ),
    Company(
        name="Agrargenossenschaft Helmeaue eG",
        legal_form=LegalForm.EG,
        sector=Sector.A,
        size=SizeBand.MEDIUM,
        street="Gutshof 1",
        postal_code="99734",
        town="Nordhausen",
        website="https://helmeaue-agrar.example",
        description=(
            "Landwirtschaftsbetrieb mit Ackerbau, Milchvieh und Obstplantagen in der Goldenen Aue bei Nordhausen. "
            "Mit einer Hilfsorganisation unterstützen wir ein Obstbau- und Bewässerungsprojekt in Herat."
        ),
        contacts=(
            Contact("Ralf Gerlach", "Vorstand", "vorstand@helmeaue-agrar.example", "03631 555 480"),
            Contact("Anja Sauer", "Leiterin Obstbau", "obstbau@helmeaue-agrar.example", "03631 555 485", True),
        ),
        engagements=(
            Engagement("AF", "AF-HER", K.PROJECT, "Obstbau- und Bewässerungsprojekt mit einer Hilfsorganisation"),
        ),
        jobs=(
            Job(
                "Landwirtschaftliche Hilfskraft (m/w/d) im Obstbau – Saison",
                FARM,
                T.EMPLOYMENT,
                "Sie helfen bei Baumschnitt, Pflege und Ernte in unseren Apfel- und Kirschplantagen. "
                "Die Stelle ist bis Ende Oktober befristet, eine Übernahme in die Wintersaison ist möglich.",
                (("de", B1, False),),
                start_in=21,
                expires_in=60,
                openings=5,
                fixed_term=True,
                salary=(2200, 2350),
                career_changers=True,
            ),
            Job(
                "Mitarbeiter/in Tierhaltung (m/w/d)",
                FARM,
                T.EMPLOYMENT,
                "Sie versorgen unsere Milchkühe und Kälber, arbeiten im Melkstand mit und fahren Traktor. "
                "Erfahrung mit Nutztieren aus dem Herkunftsland ist sehr willkommen. "
                "Eine Werkswohnung auf dem Hof kann gemietet werden.",
                (("de", B1, True),),
                start_in=30,
                expires_in=90,
                salary=(2400, 2800),
                driving_licence="T",
            ),
            _abroad(
                "Fachkraft Obstbau und Bewässerung (m/w/d) in Herat",
                FARM,
                "Sie begleiten Obstbäuerinnen und Obstbauern in Herat bei Baumschnitt, Tröpfchenbewässerung "
                "und Lagerung. Vor der Ausreise arbeiten Sie eine Saison in unseren Plantagen mit. "
                "Das Projekt wird von einer Hilfsorganisation vor Ort getragen.",
                "AF-HER",
                (("prs", NATIVE, True),),
            ),
        ),
    ),
    Company(
        name="Hörselwerk Fahrzeugkomponenten GmbH",
        legal_form=LegalForm.GMBH,
        sector=Sector.C,
        size=SizeBand.LARGE,
        street="Mühlhäuser Straße 95",
        postal_code="99817",
        town="Eisenach",
        website="https://hoerselwerk.example",
        description=(
            "Zulieferer von Kabelsätzen und Sensorbaugruppen für die Automobilindustrie mit 480 Beschäftigten "
            "in Eisenach. Unser Tochterwerk in Sousse fertigt Kabelsätze für Europa."
        ),
        offers_training=True,
        offers_language_courses=True,
        contacts=(Contact("Nadine Wolf", "Recruiting", "karriere@hoerselwerk.example", "03691 555 7000", True),),
        engagements=(Engagement("TN", "TN-51", K.SUBSIDIARY, "Tochterwerk für Kabelsätze in Sousse"),),
        jobs=(
            Job(
                "Mechatroniker/in Instandhaltung (m/w/d) im Dreischichtbetrieb",
                MECHATRONICS,
                T.EMPLOYMENT,
                "Sie warten und reparieren unsere Fertigungsanlagen und beheben Störungen an Steuerungen. "
                "Sie haben eine Ausbildung in Mechatronik, Elektrotechnik oder Industriemechanik. "
                "Wir zahlen Schichtzulagen und bieten Deutschkurse im Werk.",
                (("de", B1, True),),
                start_in=30,
                expires_in=100,
                openings=2,
                salary=(3300, 3900),
                provides_language_support=True,
            ),
            Job(
                "Ausbildung Mechatroniker/in (m/w/d)",
                MECHATRONICS,
                T.APPRENTICESHIP,
                "Dreieinhalb Jahre Ausbildung in unserer Lehrwerkstatt und in der Fertigung. "
                "Sie lernen Mechanik, Elektrotechnik und Steuerungstechnik. "
                "Wer gut abschließt, wird übernommen.",
                (("de", B1, True),),
                start_in=APPRENTICESHIP_START,
                expires_in=120,
                openings=3,
                salary=(1100, 1300),
                provides_training=True,
            ),
            _abroad(
                "Mechatroniker/in (m/w/d) für unser Werk in Sousse, Tunesien",
                MECHATRONICS,
                "Im Tochterwerk in Sousse halten Sie die Fertigungslinien für Kabelsätze in Gang und schulen "
                "das Instandhaltungsteam. Die Einarbeitung erfolgt für sechs Monate in Eisenach.",
                "TN-51",
                (("ar", NATIVE, True), ("en", B1, False)),
                salary=(1800, 2400),
            ),
        ),
    ),
    Company(
        name="Bauunternehmung Domberg Suhl GmbH",
        legal_form=LegalForm.GMBH,
        sector=Sector.F,
        size=SizeBand.MEDIUM,
        street="Friedrich-König-Straße 12",
        postal_code="98527",
        town="Suhl",
        website="https://domberg-bau.example",
        description=(
            "Hoch- und Tiefbau in Südthüringen: Wohnhäuser, Gewerbebauten, Sanierung. "
            "Wir bauen mit einem irakischen Partner Schulen in Mossul wieder auf und planen Projekte in Charkiw."
        ),
        offers_training=True,
        contacts=(
            Contact("Stefan Domberg", "Geschäftsführer", "info@domberg-bau.example", "03681 555 300", True),
            Contact("Ines Heller", "Projektleitung Ausland", "i.heller@domberg-bau.example", "03681 555 315"),
        ),
        engagements=(
            Engagement("IQ", "IQ-NI", K.PROJECT, "Wiederaufbau von Schulen in Mossul mit einem Partnerunternehmen"),
            Engagement("UA", "UA-63", K.PLANNED, "Wiederaufbau von Wohnhäusern in Charkiw geplant"),
        ),
        jobs=(
            Job(
                "Bauhelfer/in im Hochbau (m/w/d)",
                CONSTRUCTION,
                T.EMPLOYMENT,
                "Sie unterstützen unsere Kolonnen beim Mauern, Betonieren und Einschalen auf Baustellen in "
                "Suhl und Umgebung. Wir holen Sie morgens am Betriebshof ab. "
                "Wer sich bewährt, kann bei uns die Ausbildung zum Maurer machen.",
                (("de", B1, False),),
                start_in=14,
                expires_in=70,
                openings=3,
                salary=(2500, 2900),
                career_changers=True,
            ),
            Job(
                "Ausbildung Maurer/in (m/w/d)",
                CONSTRUCTION,
                T.APPRENTICESHIP,
                "Drei Jahre Ausbildung auf unseren Baustellen und im überbetrieblichen Ausbildungszentrum. "
                "Die Ausbildungsvergütung am Bau gehört zu den höchsten im Handwerk.",
                (("de", B1, True),),
                start_in=APPRENTICESHIP_START,
                expires_in=120,
                openings=2,
                salary=(1100, 1350),
                provides_training=True,
            ),
            _abroad(
                "Vorarbeiter/in (m/w/d) für den Wiederaufbau von Schulen in Mossul",
                CONSTRUCTION,
                "Sie leiten eine Kolonne unseres irakischen Partners beim Wiederaufbau von Schulgebäuden. "
                "Sie achten auf Arbeitsschutz und Qualität und berichten an unsere Projektleitung in Suhl. "
                "Erfahrung auf Baustellen in Deutschland oder im Irak ist wichtig.",
                "IQ-NI",
                (("ar", NATIVE, True), ("en", B1, False)),
            ),
            _abroad(
                "Bauhelfer/in (m/w/d) für den Wiederaufbau in Charkiw",
                CONSTRUCTION,
                "Für ein geplantes Projekt zum Wiederaufbau von Wohnhäusern in Charkiw suchen wir Bauhelferinnen "
                "und Bauhelfer, die Ukrainisch sprechen. Die Stelle wird veröffentlicht, sobald das Projekt "
                "finanziert ist.",
                "UA-63",
                (("uk", NATIVE, True),),
                status=S.DRAFT,
                start_in=180,
            ),
        ),
    ),
    Company(
        name="Pflegedienst Unstrutblick GmbH",
        legal_form=LegalForm.GMBH,
        sector=Sector.Q,
        size=SizeBand.SMALL,
        street="Görmarstraße 15",
        postal_code="99974",
        town="Mühlhausen",
        website="https://unstrutblick-pflege.example",
        description=(
            "Ambulanter Pflegedienst in Mühlhausen und den Dörfern des Unstrut-Hainich-Kreises mit 35 Mitarbeitenden."
        ),
        approved=False,
        offers_training=True,
        contacts=(Contact("Petra Schäfer", "Inhaberin", "p.schaefer@unstrutblick-pflege.example", "03601 555 240"),),
        jobs=(
            Job(
                "Pflegehelfer/in (m/w/d) in der ambulanten Pflege, Teilzeit",
                CARE_ASSISTANT,
                T.EMPLOYMENT,
                "Sie besuchen unsere Klientinnen und Klienten zu Hause und helfen bei Körperpflege und Alltag. "
                "Für die Touren stellen wir ein Dienstauto, ein Führerschein Klasse B ist nötig.",
                (("de", B1, True),),
                start_in=30,
                expires_in=90,
                working_time=Position.WorkingTime.PART,
                hours=25,
                salary=(1700, 1950),
                driving_licence="B",
            ),
            Job(
                "Qualifizierung Pflegebasiskurs (200 Stunden) mit Übernahme",
                CARE_ASSISTANT,
                T.QUALIFICATION,
                "Der Pflegebasiskurs vermittelt in 200 Stunden die Grundlagen der Pflege, mit Praxis in unserem "
                "Dienst. Wer den Kurs abschließt, bekommt eine Stelle als Pflegehelfer/in.",
                (("de", B1, True),),
                start_in=45,
                expires_in=75,
                openings=2,
                hours=30,
                fixed_term=True,
                provides_training=True,
                career_changers=True,
                work_permission=False,
            ),
        ),
    ),
    Company(
        name="Fuchsturm Optik & Photonik GmbH",
        legal_form=LegalForm.GMBH,
        sector=Sector.C,
        size=SizeBand.MEDIUM,
        street="Prüssingstraße 35",
        postal_code="07745",
        town="Jena",
        website="https://fuchsturm-photonik.example",
        description=(
            "Entwicklung und Fertigung optischer Baugruppen und Laseroptiken für Medizintechnik und "
            "Forschung mit 140 Beschäftigten."
        ),
        offers_training=True,
        offers_language_courses=True,
        contacts=(
            Contact("Dr. Henrike Voigt", "Leiterin Personal", "personal@fuchsturm-photonik.example", "", True),
            Contact("Sven Krause", "Fertigungsleiter", "s.krause@fuchsturm-photonik.example", "03641 555 6610"),
        ),
        jobs=(
            Job(
                "Mechatroniker/in (m/w/d) in der Optikfertigung",
                MECHATRONICS,
                T.EMPLOYMENT,
                "Sie montieren und justieren optomechanische Baugruppen im Reinraum und warten unsere "
                "Fertigungsanlagen. Sorgfalt und technisches Verständnis sind wichtiger als Erfahrung in der "
                "Optik, die bringen wir Ihnen bei.",
                (("de", B1, True), ("en", B1, False)),
                start_in=45,
                expires_in=100,
                salary=(3100, 3700),
                provides_training=True,
                provides_language_support=True,
            ),
            Job(
                "Praktikum in der Fertigung optischer Systeme (3 Monate)",
                MECHATRONICS,
                T.INTERNSHIP,
                "Im Praktikum lernen Sie Montage, Prüfung und Reinraumarbeit kennen. "
                "Es eignet sich für Menschen mit technischer Ausbildung aus dem Herkunftsland, die den Einstieg "
                "in die deutsche Industrie suchen.",
                (("de", B1, True),),
                start_in=30,
                expires_in=60,
                fixed_term=True,
                salary=(1200, 1200),
                career_changers=True,
            ),
        ),
    ),
    Company(
        name="Feinkost Gabelbach GmbH",
        legal_form=LegalForm.GMBH,
        sector=Sector.C,
        size=SizeBand.MEDIUM,
        street="Am Vogelherd 20",
        postal_code="98693",
        town="Ilmenau",
        website="https://feinkost-gabelbach.example",
        description="Herstellung von Salaten, Suppen und Feinkost für den Lebensmittelhandel in Mitteldeutschland.",
        approved=False,
        contacts=(
            Contact("Martin Eckardt", "Betriebsleiter", "m.eckardt@feinkost-gabelbach.example", "03677 555 190"),
        ),
        jobs=(
            Job(
                "Produktionshelfer/in Lebensmittel (m/w/d)",
                KITCHEN,
                T.EMPLOYMENT,
                "Sie bereiten Zutaten vor, bedienen Abfüllmaschinen und reinigen die Produktionslinien nach "
                "unseren Hygieneplänen. Gearbeitet wird im Zweischichtbetrieb.",
                (("de", B1, False),),
                start_in=21,
                expires_in=70,
                openings=4,
                salary=(2250, 2450),
                career_changers=True,
            ),
            Job(
                "Lagerhelfer/in (m/w/d) im Kühllager",
                WAREHOUSE,
                T.EMPLOYMENT,
                "Sie nehmen Rohwaren an, lagern sie im Kühllager ein und stellen Lieferungen für den Versand "
                "zusammen. Warme Arbeitskleidung stellen wir.",
                (("de", B1, False),),
                start_in=30,
                expires_in=80,
                salary=(2300, 2500),
                driving_licence="forklift",
            ),
        ),
    ),
    Company(
        name="Sprachmittlung Petersberg UG (haftungsbeschränkt)",
        legal_form=LegalForm.UG,
        sector=Sector.M,
        size=SizeBand.SMALL,
        street="Juri-Gagarin-Ring 48",
        postal_code="99084",
        town="Erfurt",
        website="https://sprachmittlung-petersberg.example",
        description=(
            "Dolmetsch- und Übersetzungsdienst für Behörden, Kliniken und Beratungsstellen in Thüringen: "
            "Arabisch, Dari, Farsi, Kurdisch, Tigrinya, Ukrainisch. Für ein Gesundheitsprojekt in Asmara "
            "stellen wir die Sprachmittlung."
        ),
        offers_training=True,
        contacts=(
            Contact(
                "Rana Haddad", "Geschäftsführerin", "kontakt@sprachmittlung-petersberg.example", "0361 555 8890", True
            ),
        ),
        engagements=(Engagement("ER", "ER-MA", K.PROJECT, "Sprachmittlung für ein Gesundheitsprojekt in Asmara"),),
        jobs=(
            Job(
                "Dolmetscher/in Arabisch–Deutsch (m/w/d) in Teilzeit",
                INTERPRETER,
                T.EMPLOYMENT,
                "Sie dolmetschen bei Terminen in Behörden, Kliniken und Schulen in Erfurt und Umgebung und "
                "übersetzen kurze Schreiben. Sie sprechen Arabisch als Muttersprache und sehr gut Deutsch.",
                (("ar", NATIVE, True), ("de", B2, True)),
                start_in=21,
                expires_in=80,
                working_time=Position.WorkingTime.PART,
                hours=20,
                salary=(1500, 1800),
            ),
            Job(
                "Qualifizierung zur Sprach- und Integrationsmittler/in",
                INTERPRETER,
                T.QUALIFICATION,
                "Die berufsbegleitende Qualifizierung bereitet auf das Dolmetschen im Gesundheits- und "
                "Sozialwesen vor: Gesprächstechnik, Rollenverständnis, Fachbegriffe. "
                "Praktische Einsätze begleiten wir mit erfahrenen Kolleginnen.",
                (("de", B2, True),),
                start_in=60,
                expires_in=90,
                openings=3,
                hours=20,
                working_time=Position.WorkingTime.PART,
                fixed_term=True,
                provides_training=True,
                work_permission=False,
            ),
            _abroad(
                "Dolmetscher/in Tigrinya–Englisch (m/w/d) für ein Gesundheitsprojekt in Asmara",
                INTERPRETER,
                "Sie begleiten ein deutsches Ärzteteam bei Sprechstunden und Schulungen in Asmara und "
                "übersetzen Aufklärungsmaterial ins Tigrinya. Das Projekt läuft zunächst zwölf Monate.",
                "ER-MA",
                (("ti", NATIVE, True), ("en", B2, True)),
                fixed_term=True,
            ),
        ),
    ),
    Company(
        name="Elektrotechnik Tiefurt GmbH",
        legal_form=LegalForm.GMBH,
        sector=Sector.F,
        size=SizeBand.SMALL,
        street="Tiefurter Allee 9",
        postal_code="99425",
        town="Weimar",
        website="https://elektro-tiefurt.example",
        description=(
            "Elektroinstallation, Gebäudetechnik und Photovoltaik für Wohn- und Gewerbebauten in Weimar "
            "und dem Weimarer Land. Mit einem Partnerbetrieb in Erbil arbeiten wir an Solar-Inselanlagen."
        ),
        offers_training=True,
        contacts=(
            Contact("Holger Tröger", "Elektromeister", "h.troeger@elektro-tiefurt.example", "03643 555 4470", True),
        ),
        engagements=(Engagement("IQ", "IQ-AR", K.PARTNER, "Partnerbetrieb für Elektroinstallation in Erbil"),),
        jobs=(
            Job(
                "Elektriker/in für Gebäudetechnik (m/w/d)",
                ELECTRICIAN,
                T.EMPLOYMENT,
                "Sie installieren Leitungen, Verteiler und Beleuchtung in Neubauten und bei Sanierungen und prüfen "
                "die Anlagen nach VDE. Ein Führerschein Klasse B ist nötig. "
                "Ausländische Abschlüsse helfen wir anerkennen zu lassen.",
                (("de", B1, True),),
                start_in=30,
                expires_in=90,
                openings=2,
                salary=(2900, 3500),
                driving_licence="B",
            ),
            Job(
                "Ausbildung Elektroniker/in für Energie- und Gebäudetechnik (m/w/d)",
                ELECTRICIAN,
                T.APPRENTICESHIP,
                "Dreieinhalb Jahre Ausbildung in einem Familienbetrieb mit zwölf Beschäftigten. "
                "Sie lernen Installation, Mess- und Prüftechnik und Photovoltaik. Die Berufsschule ist in Weimar.",
                (("de", B1, True),),
                start_in=APPRENTICESHIP_START,
                expires_in=120,
                salary=(1000, 1200),
                provides_training=True,
            ),
            _abroad(
                "Elektriker/in (m/w/d) für unseren Partnerbetrieb in Erbil",
                ELECTRICIAN,
                "Unser Partnerbetrieb in Erbil installiert Solar-Inselanlagen für Schulen und Gesundheitsstationen. "
                "Sie leiten Installationen an und sorgen für sichere Anlagen nach europäischem Standard. "
                "Die Vorbereitung findet in Weimar statt.",
                "IQ-AR",
                (("ar", NATIVE, True), ("en", B1, False)),
                salary=(1500, 2100),
            ),
        ),
    ),
)


def _next_apprenticeship_start(today: date) -> date:
    """Apprenticeships start on 1 August: this year's, or next year's if it is less than a month away."""
    start = date(today.year, 8, 1)
    return start if start - today >= timedelta(days=30) else date(today.year + 1, 8, 1)


def _places() -> dict[str, Place]:
    """The largest German town of each name the demo needs."""
    towns = {company.town for company in COMPANIES}
    places: dict[str, Place] = {}
    for place in Place.objects.filter(country="DE", name__in=towns).order_by("population", "pk"):
        places[place.name] = place  # ascending: the largest comes last and wins
    return places


def _regions() -> dict[str, Region]:
    """Regions by the ISO 3166-2 codes the demo uses, falling back to the parent region where needed."""
    codes = {job.region for c in COMPANIES for job in c.jobs} | {e.region for c in COMPANIES for e in c.engagements}
    codes.discard("")
    found = {region.code: region for region in Region.objects.filter(code__in=codes | set(REGION_FALLBACKS.values()))}
    return {
        code: found.get(code) or found.get(REGION_FALLBACKS.get(code, ""))
        for code in codes
        if code in found or REGION_FALLBACKS.get(code) in found
    }


def _occupations() -> dict[str, int]:
    """Occupation ids by the German labels the demo uses (preferred labels win, then the oldest)."""
    wanted = {job.occupation for company in COMPANIES for job in company.jobs}
    found: dict[str, int] = {}
    rows = OccupationLabel.objects.filter(language="de", text__in=wanted).order_by("-preferred", "occupation_id")
    for text, occupation_id in rows.values_list("text", "occupation_id"):
        found.setdefault(text, occupation_id)
    return found


def _sync_skills(position: Position, occupation_id: int, cache: dict[int, list[tuple[int, str]]]) -> None:
    """The position's skills are its occupation's essential and optional skills."""
    if occupation_id not in cache:
        cache[occupation_id] = skills_for_occupation(occupation=position.occupation)
    wanted = cache[occupation_id]
    if set(position.skill_requirements.values_list("skill_id", "relation_type")) == set(wanted):
        return
    position.skill_requirements.all().delete()
    PositionSkill.objects.bulk_create(
        PositionSkill(position=position, skill_id=skill_id, relation_type=relation) for skill_id, relation in wanted
    )


def _sync_languages(position: Position, languages: tuple, language_ids: dict[str, int]) -> None:
    wanted = {(language_ids[code], level, required) for code, level, required in languages if code in language_ids}
    if set(position.language_requirements.values_list("language_id", "min_level", "required")) == wanted:
        return
    position.language_requirements.all().delete()
    LanguageRequirement.objects.bulk_create(
        LanguageRequirement(position=position, language_id=language_id, min_level=level, required=required)
        for language_id, level, required in wanted
    )


def _upsert(model, lookup: dict, values: dict):
    """update_or_create that tolerates duplicates of the lookup (it takes the oldest row)."""
    row = model.objects.filter(**lookup).order_by("pk").first()
    if row is None:
        return model.objects.create(**lookup, **values), True
    for name, value in values.items():
        setattr(row, name, value)
    row.save()
    return row, False


@transaction.atomic
def demo_employers_load(*, employer_user: User | None = None, case_worker: User | None = None) -> dict[str, int]:
    """Create or refresh the demo employers with their contacts, regions and positions; returns counts.

    `employer_user` (the demo employer account) joins the first demo employer unless it belongs to a
    company already, and is recorded as the author of that employer's positions; `case_worker` is
    recorded as the reviewer of the approved employers and the author of the other positions.
    """
    today = timezone.localdate()
    now = timezone.now()
    places = _places()
    occupations = _occupations()
    language_ids = dict(Language.objects.values_list("code", "pk"))
    regions = _regions()
    skill_cache: dict[int, list[tuple[int, str]]] = {}
    counts = dict.fromkeys(
        (
            "employers",
            "employers_created",
            "contacts",
            "engagement_regions",
            "positions",
            "positions_created",
            "positions_abroad",
            "memberships_created",
            "skipped",
        ),
        0,
    )
    first_employer: Employer | None = None

    for company in COMPANIES:
        place = places.get(company.town)
        if place is None:
            counts["skipped"] += 1 + len(company.jobs)
            continue
        approved = company.approved
        existing = Employer.objects.filter(name=company.name).order_by("pk").first()
        reviewed_at = (existing.reviewed_at if existing and existing.reviewed_at else now) if approved else None
        employer, created = _upsert(
            Employer,
            {"name": company.name},
            {
                "legal_form": company.legal_form,
                "sector": company.sector,
                "size": company.size,
                "street": company.street,
                "postal_code": company.postal_code,
                "place": place,
                "website": company.website,
                "description": company.description,
                "offers_training": company.offers_training,
                "offers_language_courses": company.offers_language_courses,
                "verification": Employer.Verification.APPROVED if approved else Employer.Verification.PENDING,
                "review_note": "",
                "reviewed_by": case_worker if approved else None,
                "reviewed_at": reviewed_at,
            },
        )
        counts["employers"] += 1
        counts["employers_created"] += created
        if created:
            # Its history as the portal writes it: the record, and the review of an approved one.
            audit_log(actor=case_worker, action=AuditEvent.Action.CREATE, target=employer, summary=employer.name)
            if approved:
                log_review(employer=employer, actor=case_worker)
        first_employer = first_employer or employer
        author = employer_user if employer == first_employer and employer_user else case_worker

        for contact in company.contacts:
            _upsert(
                ContactPerson,
                {"employer": employer, "name": contact.name},
                {"role": contact.role, "email": contact.email, "phone": contact.phone, "is_public": contact.is_public},
            )
            counts["contacts"] += 1

        for engagement in company.engagements:
            region = regions.get(engagement.region)
            if region is None:
                counts["skipped"] += 1
                continue
            _upsert(
                EngagementRegion,
                {"employer": employer, "country": engagement.country, "region": region},
                {"kind": engagement.kind, "note": engagement.note},
            )
            counts["engagement_regions"] += 1

        for job in company.jobs:
            occupation_id = occupations.get(job.occupation)
            if occupation_id is None:
                counts["skipped"] += 1
                continue
            abroad = bool(job.region)
            start = (
                _next_apprenticeship_start(today)
                if job.start_in == APPRENTICESHIP_START
                else today + timedelta(days=job.start_in)
            )
            position, created = _upsert(
                Position,
                {"employer": employer, "title": job.title},
                {
                    "description": job.description,
                    "occupation_id": occupation_id,
                    "position_type": job.position_type,
                    "location": Position.Location.ABROAD if abroad else Position.Location.GERMANY,
                    "postal_code": "" if abroad else company.postal_code,
                    "place": None if abroad else place,
                    "country": job.region[:2] if abroad else "",
                    "region": regions.get(job.region) if abroad else None,
                    "working_time": job.working_time,
                    "hours_per_week": job.hours,
                    "fixed_term": job.fixed_term,
                    "start_date": start,
                    "openings": job.openings,
                    "salary_min": job.salary[0] if job.salary else None,
                    "salary_max": job.salary[1] if job.salary else None,
                    "requires_work_permission": job.work_permission,
                    "driving_licence": job.driving_licence,
                    "provides_training": job.provides_training,
                    "provides_language_support": job.provides_language_support,
                    "suitable_for_career_changers": job.career_changers,
                    "status": job.status,
                    "expires_on": today + timedelta(days=job.expires_in),
                    "created_by": author,
                    "rescore_requested_at": now,
                },
            )
            _sync_skills(position, occupation_id, skill_cache)
            _sync_languages(position, job.languages, language_ids)
            counts["positions"] += 1
            counts["positions_created"] += created
            counts["positions_abroad"] += abroad

    if employer_user is not None and first_employer is not None:
        _, created = Membership.objects.get_or_create(user=employer_user, defaults={"employer": first_employer})
        counts["memberships_created"] += created
    return counts
