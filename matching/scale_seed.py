"""A reproducible scale population for page-speed figures and load tests (`manage.py seed_scale`).

Issue #14 measured the portal at 10,000 candidates, 300 employers and 2,000 positions; this module
writes such a programme into an empty database: the reference data and the demo taxonomy (as
`seed_demo` loads them), staff and employer accounts with known log-ins, employers with contacts,
regions of engagement and positions in Thuringia, elsewhere in Germany and abroad, and candidates
from the demo's regions of origin (`candidates.demo.ORIGINS`) with languages, skills, experience,
education and consents. The population is written with `bulk_create` in batches; the stored matches
then come from a full rescore through `matching.services` (the real path), and the pipeline history
(decisions, introductions at every stage, placements with follow-ups, support measures) through the
same service functions a person uses (`matching.review`, `matching.demo_history`).

Reproducible: everything random comes from one `random.Random(seed)` drawn in a fixed order, and
dates are relative to today, so the same seed on the same day writes the same rows;
`population_digest` proves it (it hashes the rows by their natural keys, not by primary keys or
the moments the services stamp). It lives in `matching`, the one app that may import all others.
"""

from __future__ import annotations

import dataclasses
import hashlib
import random
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from bridges.account_security import user_totp_activate
from bridges.demo_taxonomy import demo_taxonomy_load
from bridges.models import (
    AuditEvent,
    CEFRLevel,
    Language,
    Notification,
    Occupation,
    OccupationLabel,
    Place,
    Region,
    Role,
    User,
)
from bridges.reference_data import reference_data_load
from candidates.demo import ORIGINS
from candidates.models import (
    Budget,
    Candidate,
    CandidateLanguage,
    Consent,
    Education,
    Perspective,
    ResidenceStatus,
    Status,
    SupportMeasure,
    SupportNeed,
    WorkExperience,
    WorkPermission,
)
from employers import demo as employer_demo
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
from matching.demo_history import BUDGETS, STORIES, Story, _at, _story
from matching.models import FollowUp, Introduction, IntroductionEvent, Match, MatchDecision, MatchRun, Placement
from matching.pipeline import Stage
from matching.review import match_decide
from matching.services import rescore_all

# The log-ins (an interface: the load test logs in with these).
DOMAIN = "scale.example"
ADMIN_EMAIL = f"admin@{DOMAIN}"
CANDIDATE_DOMAIN = f"kandidaten.{DOMAIN}"
DEFAULT_PASSWORD = "scale-2026"
# The demo authenticator key seed_demo gives its staff (bridges/management/commands/seed_demo.py).
TOTP_SECRET = "BRIDGESDEMOTOTPSECRETFORSTAFFXYZ"
BATCH = 2000


def case_worker_email(number: int) -> str:
    return f"caseworker{number}@{DOMAIN}"


def employer_email(number: int) -> str:
    return f"employer{number}@{DOMAIN}"


@dataclass(frozen=True)
class Sizes:
    candidates: int = 10_000
    employers: int = 300
    positions: int = 2_000
    case_workers: int = 20


# Shares of the population that the pipeline touches (of the candidates).
# Through the services an introduction's story takes ~190 queries (0.5-1 s on a busy 2-core
# machine), a decision ~15: a few hundred of them.
SHORTLISTED = 0.02
PINNED = 0.005
DISMISSED = 0.02
INTRODUCED = 0.01

# Regions of origin, weighted as the programme's intake (the demo's six origins).
ORIGIN_WEIGHTS = {"SY": 30, "AF": 18, "UA": 16, "IQ": 14, "ER": 12, "SO": 10}
EXTRA_LANGUAGES = {"SY": ["ku", "en"], "IQ": ["ku", "en"], "AF": ["fa", "en"], "UA": ["ru", "en"]}
# The largest towns of Thuringia the population lives and works in (and a few cities elsewhere).
THURINGIA = "DE-TH"
THURINGIAN_TOWNS = 40
ELSEWHERE = ["Leipzig", "Dresden", "Halle (Saale)", "Kassel", "Magdeburg", "Berlin", "Nürnberg", "Göttingen"]

W = employer_demo
# Trades of the invented companies: (name part, WZ section, occupations by German preferred label).
TRADES = [
    ("Metallbau", Sector.C, [W.WELDER, W.MECHATRONICS]),
    ("Maschinenbau", Sector.C, [W.MECHATRONICS, W.WELDER, W.ELECTRICIAN]),
    ("Elektrotechnik", Sector.F, [W.ELECTRICIAN, W.SOLAR]),
    ("Solartechnik", Sector.F, [W.SOLAR, W.ELECTRICIAN]),
    ("Bau", Sector.F, [W.CONSTRUCTION]),
    ("Pflegedienst", Sector.Q, [W.CARE_ASSISTANT]),
    ("Seniorenzentrum", Sector.Q, [W.CARE_ASSISTANT, W.KITCHEN]),
    ("Logistik", Sector.H, [W.WAREHOUSE, W.TRUCK_DRIVER]),
    ("Spedition", Sector.H, [W.TRUCK_DRIVER, W.WAREHOUSE]),
    ("Verkehrsbetriebe", Sector.H, ["Busfahrer/in", W.TRUCK_DRIVER]),
    ("Gastronomie", Sector.I, [W.COOK, W.KITCHEN]),
    ("Hotel", Sector.I, [W.COOK, W.KITCHEN, W.OFFICE]),
    ("IT-Service", Sector.J, [W.IT_SUPPORT, W.OFFICE]),
    ("Agrar", Sector.A, [W.FARM]),
    ("Sprachdienste", Sector.N, [W.INTERPRETER, W.OFFICE]),
    ("Friseursalon", Sector.S, ["Friseur/in"]),
    ("Kinderbetreuung", Sector.P, ["Helfer/in in der Kinderbetreuung"]),
]
COMPANY_NAMES = [
    "Amsel", "Fink", "Lindner", "Saalfeld", "Kyffhäuser", "Wartburg", "Rennsteig", "Hainich", "Ilmtal",
    "Werratal", "Unstrut", "Gleichen", "Schwarza", "Elster", "Orla", "Saale", "Holzland", "Eichsfeld",
    "Rhön", "Thüringer Wald", "Vogel", "Krause", "Schulze", "Hoffmann", "Wagner", "Becker", "Köhler",
    "Richter", "Wolf", "Neumann", "Zimmermann", "Schmidt", "Hartmann", "Lange", "Franke", "Brandt",
]  # fmt: skip
LEGAL_FORMS = [
    (LegalForm.GMBH, "GmbH"),
    (LegalForm.KG, "GmbH & Co. KG"),
    (LegalForm.EK, "e.K."),
    (LegalForm.AG, "AG"),
    (LegalForm.EG, "eG"),
]
STREETS = ["Hauptstraße", "Industriestraße", "Gewerbepark", "Am Anger", "Bahnhofstraße"]
GERMAN_FIRST = ["Anna", "Katrin", "Sabine", "Jana", "Claudia", "Thomas", "Jörg", "Michael", "Stefan", "Uwe", "Maik"]
GERMAN_LAST = ["Müller", "Schmidt", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Hoffmann", "Krüger", "Vogel"]
POSITION_TYPES = [
    (Position.PositionType.EMPLOYMENT, 60, "{label} (m/w/d)"),
    (Position.PositionType.APPRENTICESHIP, 12, "Ausbildung {label} (m/w/d)"),
    (Position.PositionType.INTERNSHIP, 5, "Praktikum {label} (m/w/d)"),
    (Position.PositionType.QUALIFICATION, 8, "Qualifizierung {label}"),
    (Position.PositionType.RETURN_ABROAD, 15, "{label} (m/w/d) im Herkunftsland"),
]
POSITION_STATUS = [(Position.Status.OPEN, 80), (Position.Status.DRAFT, 5), (Position.Status.PAUSED, 5)]
POSITION_STATUS += [(Position.Status.FILLED, 5), (Position.Status.CLOSED, 5)]
# Introductions: demo_history's stories, and three that stay at an early stage.
SCALE_STORIES = [
    *STORIES,
    Story(12, ()),
    Story(20, (Stage.INTERESTED, Stage.INTERVIEW, Stage.TRIAL)),
    Story(35, (Stage.INTERESTED, Stage.INTERVIEW, Stage.OFFER)),
]


def _pick(rng: random.Random, weighted: list[tuple]) -> object:
    return rng.choices([row[0] for row in weighted], weights=[row[1] for row in weighted])[0]


@dataclass
class Report:
    """What a seeding wrote: seconds per phase and rows per table."""

    seconds: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    pipeline: dict[str, int] = field(default_factory=dict)
    digest: str = ""


class _Phases:
    def __init__(self, report: Report, say: Callable[[str], None]) -> None:
        self.report, self.say = report, say

    def run(self, name: str, fn: Callable[[], object]) -> object:
        started = time.monotonic()
        result = fn()
        self.report.seconds[name] = round(time.monotonic() - started, 2)
        self.say(f"{name}: {self.report.seconds[name]:.1f} s")
        return result


def _progress(total: int, desc: str, quiet: bool):
    """A progress bar on stderr (tqdm), silent when `quiet`."""
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, file=sys.stderr, disable=quiet, unit="rows", leave=False)


def _batches(items: list, size: int = BATCH) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def refusal() -> str:
    """Why the database cannot take a scale population ("" when it can)."""
    if Candidate.objects.exists() or Employer.objects.exists():
        return (
            "The database holds candidates or employers already; seed_scale writes a population only "
            "into an empty database (createdb NAME && DATABASE_URL=… manage.py migrate), so that the "
            "figures measured on it are reproducible and no data is doubled."
        )
    if User.objects.filter(email__iendswith=f"@{DOMAIN}").exists():
        return f"Users @{DOMAIN} exist already: seed the scale population into an empty database."
    return ""


# --- reference lookups ----------------------------------------------------------------------------


@dataclass
class Lookups:
    occupations: list[Occupation]
    occupation_by_label: dict[str, Occupation]
    skills: dict[int, list[tuple[int, str]]]  # occupation id → [(skill id, relation)]
    languages: dict[str, int]
    regions: dict[str, Region]
    towns: list[Place]
    town_weights: list[float]
    elsewhere: list[Place]


def _lookups() -> Lookups:
    labels = OccupationLabel.objects.filter(language="de", preferred=True).order_by("text", "occupation_id")
    occupation_by_label: dict[str, Occupation] = {}
    for label in labels.select_related("occupation"):
        occupation_by_label.setdefault(label.text, label.occupation)
    occupations = [occupation_by_label[text] for text in sorted(occupation_by_label)]
    skills: dict[int, list[tuple[int, str]]] = {o.pk: [] for o in occupations}
    relations = Occupation.skills.through.objects.filter(occupation__in=occupations).order_by("occupation_id", "pk")
    for occupation_id, skill_id, relation in relations.values_list("occupation_id", "skill_id", "relation_type"):
        skills[occupation_id].append((skill_id, relation))
    codes = {code for origin in ORIGINS.values() for code in origin["regions"]}
    codes |= set(employer_demo.REGION_FALLBACKS.values())
    found = {region.code: region for region in Region.objects.filter(code__in=codes)}
    regions = {
        code: found.get(code) or found[employer_demo.REGION_FALLBACKS[code]]
        for code in codes
        if code in found or employer_demo.REGION_FALLBACKS.get(code) in found
    }
    places = Place.objects.filter(country="DE").order_by("-population", "geonameid")
    towns = list(places.filter(region__code=THURINGIA)[:THURINGIAN_TOWNS])
    if not towns:  # reference data without Thuringia: the largest German towns
        towns = list(places[:THURINGIAN_TOWNS])
    largest: dict[str, Place] = {}
    for place in places.filter(name__in=ELSEWHERE):
        largest.setdefault(place.name, place)
    return Lookups(
        occupations=occupations,
        occupation_by_label=occupation_by_label,
        skills=skills,
        languages=dict(Language.objects.values_list("code", "pk")),
        regions=regions,
        towns=towns,
        # People live where the towns are large, but not only in Erfurt and Jena.
        town_weights=[max(place.population, 1) ** 0.5 for place in towns],
        elsewhere=[largest[name] for name in ELSEWHERE if name in largest],
    )


# --- accounts -------------------------------------------------------------------------------------


def _users(sizes: Sizes, password: str, rng: random.Random) -> tuple[User, list[User], list[User]]:
    """The admin, the case workers and one user per employer, all with `password`.

    One hash serves all (hashing it for each of hundreds of users would take minutes), and every
    address is verified so that the users log in through allauth at once."""
    hashed = make_password(password)

    def user(email: str, role: str, first: str, last: str) -> User:
        admin = role == Role.ADMIN
        return User(
            email=email,
            password=hashed,
            role=role,
            first_name=first,
            last_name=last,
            is_staff=admin,
            is_superuser=admin,
            is_active=True,
        )

    rows = [user(ADMIN_EMAIL, Role.ADMIN, "Anna", "Admin")]
    rows += [
        user(case_worker_email(n), Role.CASE_WORKER, rng.choice(GERMAN_FIRST), rng.choice(GERMAN_LAST))
        for n in range(1, sizes.case_workers + 1)
    ]
    rows += [
        user(employer_email(n), Role.EMPLOYER, rng.choice(GERMAN_FIRST), rng.choice(GERMAN_LAST))
        for n in range(1, sizes.employers + 1)
    ]
    users = User.objects.bulk_create(rows, batch_size=BATCH)
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users], batch_size=BATCH
    )
    admin, case_workers, employer_users = users[0], users[1 : 1 + sizes.case_workers], users[1 + sizes.case_workers :]
    # Staff log in with a second factor where the portal asks for one, as seed_demo's staff do.
    for staff in [admin, *case_workers]:
        if settings.MFA_REQUIRED_FOR_STAFF:
            user_totp_activate(user=staff, secret=TOTP_SECRET)
        else:
            Authenticator.objects.filter(user=staff).delete()
    return admin, case_workers, employer_users


# --- employers and positions ----------------------------------------------------------------------


def _postal_code(rng: random.Random) -> str:
    return f"{rng.choice([7, 98, 99])}{rng.randint(0, 999):03d}".zfill(5)


def _employers(
    sizes: Sizes, lookups: Lookups, rng: random.Random, case_workers: list[User], employer_users: list[User], quiet
) -> list[Employer]:
    now = timezone.now()
    names: set[str] = set()
    employers, trades, contacts, engagements = [], [], [], []
    for number in range(1, sizes.employers + 1):
        trade = rng.choice(TRADES)
        place = rng.choices(lookups.towns, weights=lookups.town_weights)[0]
        legal_form, suffix = rng.choice(LEGAL_FORMS)
        name = f"{rng.choice(COMPANY_NAMES)} {trade[0]} {suffix}"
        if name in names:
            name = f"{rng.choice(COMPANY_NAMES)} {trade[0]} {place.name} {suffix}"
        while name in names:
            name = f"{name.removesuffix(suffix).strip()} {number} {suffix}"
        names.add(name)
        verification = _pick(
            rng,
            [
                (Employer.Verification.APPROVED, 85),
                (Employer.Verification.PENDING, 10),
                (Employer.Verification.REJECTED, 5),
            ],
        )
        reviewer = rng.choice(case_workers) if verification != Employer.Verification.PENDING else None
        slug = name.lower().replace(" ", "-").replace(".", "").replace("&", "und")
        employers.append(
            Employer(
                name=name,
                legal_form=legal_form,
                sector=trade[1],
                size=rng.choice(list(SizeBand)),
                street=f"{rng.choice(STREETS)} {rng.randint(1, 90)}",
                postal_code=_postal_code(rng),
                place=place,
                website=f"https://{slug}.example",
                description=f"{trade[0]} in {place.name} mit {rng.randint(5, 400)} Beschäftigten.",
                offers_training=rng.random() < 0.4,
                offers_language_courses=rng.random() < 0.25,
                verification=verification,
                review_note="Unterlagen unvollständig." if verification == Employer.Verification.REJECTED else "",
                reviewed_by=reviewer,
                reviewed_at=now - timedelta(days=rng.randint(1, 300)) if reviewer else None,
            )
        )
        trades.append(trade)
    with _progress(sizes.employers, "employers", quiet) as bar:
        for batch in _batches(employers):
            Employer.objects.bulk_create(batch)
            bar.update(len(batch))
    for employer, user in zip(employers, employer_users, strict=True):
        contact = f"{rng.choice(GERMAN_FIRST)} {rng.choice(GERMAN_LAST)}"
        contacts.append(
            ContactPerson(
                employer=employer,
                name=contact,
                role=rng.choice(["Geschäftsführung", "Personal", "Ausbildungsleitung"]),
                email=user.email,
                phone=f"0361 {rng.randint(100000, 999999)}",
                is_public=rng.random() < 0.5,
            )
        )
        if rng.random() < 0.25:
            country = rng.choice(list(ORIGINS))
            region = lookups.regions.get(rng.choice(ORIGINS[country]["regions"]))
            engagements.append(
                EngagementRegion(
                    employer=employer,
                    country=region.country if region else country,
                    region=region,
                    kind=rng.choice(list(EngagementRegion.Kind)),
                    note="Partnerbetrieb in der Herkunftsregion",
                )
            )
    ContactPerson.objects.bulk_create(contacts, batch_size=BATCH)
    EngagementRegion.objects.bulk_create(engagements, batch_size=BATCH)
    Membership.objects.bulk_create(
        [Membership(user=u, employer=e) for u, e in zip(employer_users, employers, strict=True)], batch_size=BATCH
    )
    for employer, trade in zip(employers, trades, strict=True):
        employer.trade = trade  # for the positions below; not a field
    return employers


def _positions(
    sizes: Sizes, lookups: Lookups, rng: random.Random, employers: list[Employer], employer_users: list[User], quiet
) -> list[Position]:
    today, now = timezone.localdate(), timezone.now()
    owners = {employer.pk: user for employer, user in zip(employers, employer_users, strict=True)}
    # Every employer has a position; the rest go to employers at random (some have many).
    chosen = employers[: sizes.positions] + rng.choices(employers, k=max(0, sizes.positions - len(employers)))
    positions, requirements, titles = [], [], set()
    for employer in chosen:
        occupations = [lookups.occupation_by_label[t] for t in employer.trade[2] if t in lookups.occupation_by_label]
        occupation = rng.choice(occupations or lookups.occupations)
        position_type = _pick(rng, POSITION_TYPES)
        template = next(tpl for t, _w, tpl in POSITION_TYPES if t == position_type)
        title = template.format(label=occupation.label)
        while (employer.pk, title) in titles:
            title = f"{template.format(label=occupation.label)} – {len(titles) % 97 + 2}. Stelle"
            if (employer.pk, title) in titles:
                title = f"{title} ({rng.randint(2, 99999)})"
        titles.add((employer.pk, title))
        abroad = position_type == Position.PositionType.RETURN_ABROAD
        country, region, place, postal_code = "", None, None, ""
        languages = []
        if abroad:
            country = rng.choice(list(ORIGINS))
            region = lookups.regions.get(rng.choice(ORIGINS[country]["regions"]))
            country = region.country if region else country
            languages.append((ORIGINS[country]["language"], CEFRLevel.B2, True))
            languages.append(("de", rng.choice([CEFRLevel.A2, CEFRLevel.B1]), False))
        else:
            place = employer.place if rng.random() < 0.8 or not lookups.elsewhere else rng.choice(lookups.elsewhere)
            postal_code = employer.postal_code if place == employer.place else f"{rng.randint(1000, 99999):05d}"
            if rng.random() < 0.85:
                languages.append(("de", rng.choice([CEFRLevel.A2, CEFRLevel.B1, CEFRLevel.B1, CEFRLevel.B2]), True))
            if rng.random() < 0.2:
                languages.append(("en", CEFRLevel.B1, False))
        salary_min = rng.randrange(1000, 3600, 100) if rng.random() < 0.7 else None
        hours = rng.choice([40, 40, 38, 30, 20])
        position = Position(
            employer=employer,
            title=title,
            description=(
                f"{employer.name} sucht Verstärkung als {occupation.label}. "
                "Wir arbeiten Sie gründlich ein und unterstützen Sie bei Behördengängen."
            ),
            occupation=occupation,
            position_type=position_type,
            location=Position.Location.ABROAD if abroad else Position.Location.GERMANY,
            postal_code=postal_code,
            place=place,
            country=country,
            region=region,
            working_time=Position.WorkingTime.FULL if hours >= 35 else Position.WorkingTime.PART,
            hours_per_week=hours,
            fixed_term=rng.random() < 0.2,
            start_date=today + timedelta(days=rng.randint(7, 150)),
            openings=rng.choice([1, 1, 1, 2, 3]),
            salary_min=salary_min,
            salary_max=salary_min + rng.randrange(0, 900, 100) if salary_min else None,
            requires_work_permission=not abroad,
            driving_licence="C" if occupation.label in (W.TRUCK_DRIVER,) else "",
            provides_training=rng.random() < 0.3,
            provides_language_support=rng.random() < 0.3,
            suitable_for_career_changers=rng.random() < 0.3,
            status=_pick(rng, POSITION_STATUS),
            expires_on=today + timedelta(days=rng.randint(30, 180)) if rng.random() < 0.8 else None,
            created_by=owners[employer.pk],
            rescore_requested_at=now,
        )
        positions.append(position)
        requirements.append(languages)
    with _progress(sizes.positions, "positions", quiet) as bar:
        for batch in _batches(positions):
            Position.objects.bulk_create(batch)
            bar.update(len(batch))
    skills, language_rows = [], []
    for position, languages in zip(positions, requirements, strict=True):
        for skill_id, relation in lookups.skills.get(position.occupation_id, []):
            if relation == PositionSkill.Relation.OPTIONAL and rng.random() < 0.3:
                continue
            skills.append(PositionSkill(position=position, skill_id=skill_id, relation_type=relation))
        for code, level, required in languages:
            if code in lookups.languages:
                language_rows.append(
                    LanguageRequirement(
                        position=position, language_id=lookups.languages[code], min_level=level, required=required
                    )
                )
    PositionSkill.objects.bulk_create(skills, batch_size=BATCH)
    LanguageRequirement.objects.bulk_create(language_rows, batch_size=BATCH)
    return positions


# --- candidates -----------------------------------------------------------------------------------


def _candidates(
    sizes: Sizes,
    lookups: Lookups,
    rng: random.Random,
    case_workers: list[User],
    employers: list[Employer],
    quiet: bool,
) -> int:
    today, now = timezone.localdate(), timezone.now()
    countries = list(ORIGIN_WEIGHTS)
    weights = list(ORIGIN_WEIGHTS.values())
    approved = [e for e in employers if e.verification == Employer.Verification.APPROVED]
    skill_through = Candidate.skills.through
    wish_through = Candidate.desired_occupations.through
    written = 0
    with _progress(sizes.candidates, "candidates", quiet) as bar:
        for start in range(0, sizes.candidates, BATCH):
            rows, details = [], []
            for index in range(start, min(start + BATCH, sizes.candidates)):
                country = rng.choices(countries, weights=weights)[0]
                origin = ORIGINS[country]
                first, last = rng.choice(origin["first"]), rng.choice(origin["last"])
                perspective = _pick(rng, [(Perspective.STAY, 55), (Perspective.RETURN, 15), (Perspective.OPEN, 30)])
                region = lookups.regions.get(rng.choice(origin["regions"]))
                status = _pick(rng, [(Status.ACTIVE, 85), (Status.IN_PLACEMENT, 5), (Status.INACTIVE, 10)])
                rows.append(
                    Candidate(
                        first_name=first,
                        last_name=last,
                        date_of_birth=date(rng.randint(1962, 2007), rng.randint(1, 12), rng.randint(1, 28)),
                        gender=rng.choice(["female", "male"]),
                        email=f"{first}.{last}.{index + 1}@{CANDIDATE_DOMAIN}".lower().replace(" ", ""),
                        phone=f"+49 {rng.randint(151, 179)} {rng.randint(1000000, 9999999)}",
                        postal_code=_postal_code(rng),
                        place=rng.choices(lookups.towns, weights=lookups.town_weights)[0],
                        nationality=country,
                        country_of_origin=country,
                        region_of_origin=region,
                        residence_status=_pick(
                            rng,
                            [
                                (ResidenceStatus.RESIDENCE_PERMIT, 45),
                                (ResidenceStatus.SETTLEMENT_PERMIT, 10),
                                (ResidenceStatus.PERMISSION_TO_REMAIN, 20),
                                (ResidenceStatus.TOLERATION, 15),
                                (ResidenceStatus.BLUE_CARD, 2),
                                (ResidenceStatus.OTHER, 8),
                            ],
                        ),
                        work_permission=_pick(
                            rng,
                            [
                                (WorkPermission.ALLOWED, 65),
                                (WorkPermission.WITH_APPROVAL, 25),
                                (WorkPermission.NOT_ALLOWED, 10),
                            ],
                        ),
                        work_permission_valid_until=today + timedelta(days=rng.randint(-30, 900)),
                        perspective=perspective,
                        return_country=country if perspective == Perspective.RETURN else "",
                        return_region=region if perspective == Perspective.RETURN else None,
                        max_commute_km=rng.choice([10, 20, 30, 50, 80, None]),
                        willing_to_relocate=rng.random() < 0.25,
                        available_from=rng.choice([None, today + timedelta(days=rng.randint(0, 120))]),
                        driving_licences=rng.choice([[], [], ["B"], ["B", "C", "CE"], ["forklift"], ["B", "forklift"]]),
                        support_needs=sorted(rng.sample([s.value for s in SupportNeed], k=rng.randint(0, 2))),
                        status=status,
                        last_confirmed=today - timedelta(days=rng.randint(0, 400)),
                        case_worker=case_workers[index % len(case_workers)],
                        rescore_requested_at=now,
                    )
                )
                details.append(_candidate_details(rng, lookups, country, index, approved))
            Candidate.objects.bulk_create(rows)
            languages, skills, wishes, experience, education, consents = [], [], [], [], [], []
            for candidate, detail in zip(rows, details, strict=True):
                languages += [
                    CandidateLanguage(candidate=candidate, language_id=lookups.languages[code], level=level)
                    for code, level in detail["languages"]
                    if code in lookups.languages
                ]
                skills += [skill_through(candidate_id=candidate.pk, skill_id=s) for s in detail["skills"]]
                wishes += [wish_through(candidate_id=candidate.pk, occupation_id=o.pk) for o in detail["wishes"]]
                experience += [
                    WorkExperience(candidate=candidate, occupation=o, country=c, employer_name=n, years=y)
                    for o, c, n, y in detail["experience"]
                ]
                education.append(Education(candidate=candidate, **detail["education"]))
                for purpose, employer, days in detail["consents"]:
                    consents.append(
                        Consent(
                            candidate=candidate,
                            purpose=purpose,
                            employer=employer,
                            recipient=employer.name if employer else "",
                            wording_version="2026-01",
                            method=Consent.Method.IN_PERSON,
                            given_at=now - timedelta(days=days),
                            recorded_by=candidate.case_worker,
                        )
                    )
            CandidateLanguage.objects.bulk_create(languages, batch_size=BATCH)
            skill_through.objects.bulk_create(skills, batch_size=BATCH)
            wish_through.objects.bulk_create(wishes, batch_size=BATCH)
            WorkExperience.objects.bulk_create(experience, batch_size=BATCH)
            Education.objects.bulk_create(education, batch_size=BATCH)
            Consent.objects.bulk_create(consents, batch_size=BATCH)
            written += len(rows)
            bar.update(len(rows))
    return written


def _candidate_details(rng: random.Random, lookups: Lookups, country: str, index: int, approved: list) -> dict:
    origin = ORIGINS[country]
    languages = [(origin["language"], CEFRLevel.NATIVE)]
    if rng.random() < 0.85:
        languages.append(
            ("de", rng.choice([CEFRLevel.A1, CEFRLevel.A2, CEFRLevel.B1, CEFRLevel.B1, CEFRLevel.B2, CEFRLevel.C1]))
        )
    for code in EXTRA_LANGUAGES.get(country, ["en"]):
        if rng.random() < 0.3 and code not in dict(languages):
            languages.append((code, rng.choice([CEFRLevel.A2, CEFRLevel.B1, CEFRLevel.B2])))
    wishes = rng.sample(lookups.occupations, k=min(len(lookups.occupations), rng.choice([1, 1, 2, 2, 3])))
    skills: list[int] = []
    if wishes:
        pool = [skill_id for skill_id, _relation in lookups.skills.get(wishes[0].pk, [])]
        skills = sorted(rng.sample(pool, k=min(len(pool), rng.randint(1, 5)))) if pool else []
    experience = [
        (
            occupation,
            rng.choice([country, country, "DE", "TR"]),
            rng.choice(["Familienbetrieb", "Werkstatt", "Baufirma", "Krankenhaus", "Hotel", "Lager", "Fabrik"]),
            Decimal(rng.choice([1, 2, 3, 5, 8, 12])),
        )
        for occupation in wishes[: rng.choice([0, 1, 1, 2])]
    ]
    consents = [(Consent.Purpose.PROCESSING, None, rng.randint(30, 700))]
    if rng.random() < 0.85:
        consents.append((Consent.Purpose.PROFILING, None, rng.randint(30, 700)))
    if approved and rng.random() < 0.08:  # consent to share with one or two named employers
        for employer in rng.sample(approved, k=min(len(approved), rng.choice([1, 1, 2]))):
            consents.append((Consent.Purpose.SHARING, employer, rng.randint(1, 200)))
    return {
        "languages": languages,
        "wishes": wishes,
        "skills": skills,
        "experience": experience,
        "education": {
            "degree_level": rng.choice(["primary", "secondary", "upper_secondary", "vocational", "bachelor", "master"]),
            "country": country,
            "year_completed": rng.randint(1985, 2024),
            "recognition": rng.choice(["not_applied", "in_progress", "full", "partial", "refused"]),
        },
        "consents": consents,
    }


# --- the pipeline ---------------------------------------------------------------------------------


def _budgets(introductions: int) -> None:
    """Budgets for last, this and next year, as large as demo_history's for each dozen stories."""
    scale = max(1, -(-introductions // len(SCALE_STORIES)))
    year = timezone.localdate().year
    Budget.objects.bulk_create(
        Budget(year=y, kind=kind, funding_source="", amount=amount * scale)
        for y in (year - 1, year, year + 1)
        for kind, amount in BUDGETS.items()
    )


def _sharing_consent(match: Match, case_worker: User, *, given) -> None:
    """The candidate's consent to share with the position's organisation, given the day before the
    introduction (demo_history records it through `consent_give`, which also asks for a rescore of
    the candidate: at scale, hundreds of single rescores for a consent that changes no score)."""
    employer = Employer.objects.only("name").get(positions__pk=match.position_id)
    if not Consent.objects.filter(candidate_id=match.candidate_id).sharing_with(employer.pk).exists():
        Consent.objects.create(
            candidate_id=match.candidate_id,
            purpose=Consent.Purpose.SHARING,
            employer=employer,
            recipient=employer.name,
            wording_version="2026-01",
            method=Consent.Method.IN_PERSON,
            given_at=given,
            recorded_by=case_worker,
        )


def _pipeline(sizes: Sizes, rng: random.Random, admin: User, quiet: bool) -> dict[str, int]:
    """Decisions, introductions at every stage, placements and support measures, through the services."""
    # The pairs of open positions of approved employers and active candidates, best first for each
    # candidate. Filtered here rather than joined: the planner has no statistics on tables written
    # a moment ago.
    open_positions = set(
        Position.objects.filter(
            status=Position.Status.OPEN, employer__verification=Employer.Verification.APPROVED
        ).values_list("pk", flat=True)
    )
    active = set(Candidate.objects.filter(status=Status.ACTIVE).values_list("pk", flat=True))
    pairs = sorted(
        (candidate_id, rank or 0, position_id)
        for candidate_id, position_id, rank in Match.objects.values_list(
            "candidate_id", "position_id", "rank_for_candidate"
        ).iterator(chunk_size=20_000)
        if candidate_id in active and position_id in open_positions
    )
    by_candidate: dict[int, list[int]] = {}
    for candidate_id, _rank, position_id in pairs:
        by_candidate.setdefault(candidate_id, []).append(position_id)
    candidate_ids = sorted(by_candidate)
    rng.shuffle(candidate_ids)
    wanted = {
        "introductions": max(round(sizes.candidates * INTRODUCED), 3),
        "shortlisted": round(sizes.candidates * SHORTLISTED),
        "pinned": round(sizes.candidates * PINNED),
        "dismissed": round(sizes.candidates * DISMISSED),
    }
    counts = dict.fromkeys([*wanted, "refused"], 0)
    _budgets(wanted["introductions"])
    case_workers = dict(Candidate.objects.filter(pk__in=candidate_ids).values_list("pk", "case_worker_id"))
    staff = {u.pk: u for u in User.objects.filter(pk__in=set(case_workers.values()))}
    queue = iter(candidate_ids)
    total = sum(wanted.values())
    with _progress(total, "pipeline", quiet) as bar:
        story_index = 0
        while counts["introductions"] < wanted["introductions"]:
            candidate_id = next(queue, None)
            if candidate_id is None:
                break
            position_id = rng.choice(by_candidate[candidate_id][:3])
            match = Match.objects.select_related("candidate").get(candidate_id=candidate_id, position_id=position_id)
            base = SCALE_STORIES[story_index % len(SCALE_STORIES)]
            story = dataclasses.replace(base, days_ago=max(base.days_ago + rng.randint(-10, 10), 5))
            story_index += 1
            case_worker = staff[case_workers[candidate_id]]
            try:
                with transaction.atomic():
                    _sharing_consent(match, case_worker, given=_at(story.days_ago + 1, hour=14))
                    made = _story(match, story, case_worker, admin)
            except ValidationError:
                made = None
            if made is None:
                counts["refused"] += 1
                continue
            counts["introductions"] += 1
            bar.update(1)
        plan = [
            (MatchDecision.Status.SHORTLISTED, "", "shortlisted"),
            (MatchDecision.Status.PINNED, "", "pinned"),
            (MatchDecision.Status.DISMISSED, MatchDecision.Reason.SKILLS, "dismissed"),
        ]
        for status, reason, key in plan:
            while counts[key] < wanted[key]:
                candidate_id = next(queue, None)
                if candidate_id is None:
                    break
                position_id = rng.choice(by_candidate[candidate_id][:5])
                if status == MatchDecision.Status.DISMISSED:
                    reason = rng.choice(list(MatchDecision.Reason))
                try:
                    match_decide(
                        candidate_id=candidate_id,
                        position_id=position_id,
                        status=status,
                        reason=reason,
                        actor=staff[case_workers[candidate_id]],
                    )
                except ValidationError:
                    counts["refused"] += 1
                    continue
                counts[key] += 1
                bar.update(1)
    return counts


# --- the whole seeding ----------------------------------------------------------------------------

TABLES = [
    ("users", User),
    ("employers", Employer),
    ("contact persons", ContactPerson),
    ("regions of engagement", EngagementRegion),
    ("positions", Position),
    ("position skills", PositionSkill),
    ("language requirements", LanguageRequirement),
    ("candidates", Candidate),
    ("candidate languages", CandidateLanguage),
    ("candidate skills", Candidate.skills.through),
    ("desired occupations", Candidate.desired_occupations.through),
    ("work experience", WorkExperience),
    ("education", Education),
    ("consents", Consent),
    ("matches", Match),
    ("match decisions", MatchDecision),
    ("introductions", Introduction),
    ("introduction events", IntroductionEvent),
    ("placements", Placement),
    ("follow-ups", FollowUp),
    ("support measures", SupportMeasure),
    ("budgets", Budget),
    ("audit events", AuditEvent),
]


def table_counts() -> dict[str, int]:
    return {name: model.objects.count() for name, model in TABLES}


def _analyze() -> None:
    """Statistics for the planner on PostgreSQL: the tables were empty a moment ago, and without
    them the joins of the rescore and the services plan for empty tables. (Tables the connecting
    role does not own are skipped with a warning, as ANALYZE does.)"""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _reference() -> None:
    """The reference data and the demo taxonomy, as seed_demo loads them, unless the database has
    them already (the same for every population; an ESCO import is kept, and used)."""
    if not Place.objects.filter(country="DE").exists():
        reference_data_load()
    if not Occupation.objects.exists():
        demo_taxonomy_load()


@transaction.atomic
def seed_scale(
    sizes: Sizes,
    *,
    seed: int = 1,
    password: str = DEFAULT_PASSWORD,
    rescore: bool = True,
    say: Callable[[str], None] = lambda message: None,
    quiet: bool = True,
) -> Report:
    """Write the scale population into an empty database (ValueError otherwise); returns the report."""
    reason = refusal()
    if reason:
        raise ValueError(reason)
    rng = random.Random(seed)
    report = Report()
    phases = _Phases(report, say)
    started = timezone.now()
    phases.run("reference data and taxonomy", _reference)
    lookups = _lookups()
    admin, case_workers, employer_users = phases.run("users", lambda: _users(sizes, password, rng))
    employers = phases.run("employers", lambda: _employers(sizes, lookups, rng, case_workers, employer_users, quiet))
    phases.run("positions", lambda: _positions(sizes, lookups, rng, employers, employer_users, quiet))
    phases.run("candidates", lambda: _candidates(sizes, lookups, rng, case_workers, employers, quiet))
    _analyze()
    if rescore:
        run = phases.run("matching (full rescore)", lambda: rescore_all(trigger=MatchRun.Trigger.FULL))
        report.pipeline["pairs scored"] = run.pairs_scored
        _analyze()
        report.pipeline |= phases.run("pipeline", lambda: _pipeline(sizes, rng, admin, quiet))
        _analyze()  # the introductions, placements and measures: the list pages plan on their sizes
    # Seeding is not news: the mails the services wrote to the outbox are not sent.
    Notification.objects.filter(created_at__gte=started).delete()
    report.counts = table_counts()
    report.digest = population_digest()
    return report


# --- the digest that proves reproducibility -------------------------------------------------------


def population_digest() -> str:
    """SHA-256 over the seeded rows by their natural keys (never primary keys, nor the moments the
    services stamp), so that two databases seeded with the same seed on the same day compare equal."""
    digest = hashlib.sha256()

    def feed(label: str, rows: Iterable) -> None:
        digest.update(label.encode())
        for row in sorted(map(repr, rows)):
            digest.update(row.encode())

    occupation = dict(
        OccupationLabel.objects.filter(language="de", preferred=True).values_list("occupation_id", "text")
    )
    skill = {
        pk: labels.get("de") or labels.get("en")
        for pk, labels in Occupation.skills.field.related_model.objects.values_list("pk", "labels")
    }
    language = dict(Language.objects.values_list("pk", "code"))
    region = dict(Region.objects.values_list("pk", "code"))
    place = dict(Place.objects.values_list("pk", "geonameid"))
    user = dict(User.objects.values_list("pk", "email"))
    employer = dict(Employer.objects.values_list("pk", "name"))
    position = {pk: (employer[e], title) for pk, e, title in Position.objects.values_list("pk", "employer_id", "title")}
    candidate = dict(Candidate.objects.values_list("pk", "email"))

    feed("users", User.objects.values_list("email", "role", "first_name", "last_name", "is_staff"))
    feed(
        "employers",
        (
            (name, form, sector, size, street, code, place[p], site, verification, user.get(reviewer))
            for name, form, sector, size, street, code, p, site, verification, reviewer in Employer.objects.values_list(
                "name", "legal_form", "sector", "size", "street", "postal_code", "place_id", "website", "verification",
                "reviewed_by_id",
            )
        ),
    )  # fmt: skip
    feed("members", ((user[u], employer[e]) for u, e in Membership.objects.values_list("user_id", "employer_id")))
    feed(
        "positions",
        (
            (position[pk], occupation.get(o), kind, place.get(p), country, region.get(r), status, openings, expires)
            for pk, o, kind, p, country, r, status, openings, expires in Position.objects.values_list(
                "pk", "occupation_id", "position_type", "place_id", "country", "region_id", "status", "openings",
                "expires_on",
            )
        ),
    )  # fmt: skip
    feed(
        "position skills",
        (
            (position[p], skill[s], rel)
            for p, s, rel in PositionSkill.objects.values_list("position_id", "skill_id", "relation_type")
        ),
    )
    feed(
        "language requirements",
        (
            (position[p], language[lang], level, required)
            for p, lang, level, required in LanguageRequirement.objects.values_list(
                "position_id", "language_id", "min_level", "required"
            )
        ),
    )
    feed(
        "candidates",
        (
            (email, first, last, born, place.get(p), nat, region.get(r), res, permit, view, user.get(cw), status)
            for email, first, last, born, p, nat, r, res, permit, view, cw, status in Candidate.objects.values_list(
                "email", "first_name", "last_name", "date_of_birth", "place_id", "nationality", "region_of_origin_id",
                "residence_status", "work_permission", "perspective", "case_worker_id", "status",
            )
        ),
    )  # fmt: skip
    feed(
        "candidate languages",
        (
            (candidate[c], language[lang], level)
            for c, lang, level in CandidateLanguage.objects.values_list("candidate_id", "language_id", "level")
        ),
    )
    feed(
        "candidate skills",
        ((candidate[c], skill[s]) for c, s in Candidate.skills.through.objects.values_list("candidate_id", "skill_id")),
    )
    feed(
        "wishes",
        (
            (candidate[c], occupation.get(o))
            for c, o in Candidate.desired_occupations.through.objects.values_list("candidate_id", "occupation_id")
        ),
    )
    feed(
        "experience",
        (
            (candidate[c], occupation.get(o), y)
            for c, o, y in WorkExperience.objects.values_list("candidate_id", "occupation_id", "years")
        ),
    )
    feed(
        "consents",
        (
            (candidate[c], purpose, employer.get(e))
            for c, purpose, e in Consent.objects.values_list("candidate_id", "purpose", "employer_id")
        ),
    )
    feed(
        "matches",
        (
            (candidate[c], position[p], round(score, 6), rp, rc)
            for c, p, score, rp, rc in Match.objects.values_list(
                "candidate_id", "position_id", "score", "rank_for_position", "rank_for_candidate"
            )
        ),
    )
    feed(
        "decisions",
        (
            (candidate[c], position[p], status, reason, user.get(u))
            for c, p, status, reason, u in MatchDecision.objects.values_list(
                "candidate_id", "position_id", "status", "reason", "decided_by_id"
            )
        ),
    )
    feed(
        "introductions",
        (
            (candidate[c], position[p], stage, reached, reason)
            for c, p, stage, reached, reason in Introduction.objects.values_list(
                "candidate_id", "position_id", "stage", "reached_stage", "close_reason"
            )
        ),
    )
    feed(
        "placements",
        (
            (candidate[c], position[p], kind, start)
            for c, p, kind, start in Placement.objects.values_list("candidate_id", "position_id", "kind", "start_date")
        ),
    )
    feed(
        "measures",
        (
            (candidate[c], kind, title, status, planned, actual)
            for c, kind, title, status, planned, actual in SupportMeasure.objects.values_list(
                "candidate_id", "kind", "title", "status", "planned_cost", "actual_cost"
            )
        ),
    )
    return digest.hexdigest()
