"""Demo candidates for `seed_demo`: about 50 realistic profiles of people from Syria,
Afghanistan, Eritrea, Iraq, Ukraine and Somalia living in Thuringian towns.

Deterministic (a fixed random seed) and idempotent: each demo candidate is keyed
by its e-mail address `demo-NN@kandidaten.bridges.example`.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from bridges.models import CEFRLevel, Language, Occupation, Place, Region, User
from candidates.models import (
    Candidate,
    CandidateLanguage,
    Consent,
    Education,
    Perspective,
    ResidenceStatus,
    Status,
    SupportNeed,
    WorkExperience,
    WorkPermission,
)

COUNT = 50
DEMO_EMAIL_DOMAIN = "@kandidaten.bridges.example"

ORIGINS = {
    "SY": {
        "language": "ar",
        "regions": ["SY-HL", "SY-DI", "SY-HM", "SY-LA", "SY-DR"],
        "first": ["Ahmad", "Mohammad", "Omar", "Khaled", "Rami", "Samira", "Lina", "Rania", "Hiba", "Yara"],
        "last": ["Al-Hassan", "Haddad", "Khalil", "Nasser", "Saleh", "Darwish", "Hamdan", "Al-Masri"],
    },
    "AF": {
        "language": "prs",
        "regions": ["AF-KAB", "AF-HER", "AF-BAL", "AF-KDZ"],
        "first": ["Ahmad", "Farid", "Jawad", "Mustafa", "Zahra", "Maryam", "Fatima", "Nasrin", "Hamid"],
        "last": ["Rahimi", "Ahmadi", "Hosseini", "Karimi", "Sultani", "Nazari", "Mohammadi"],
    },
    "ER": {
        "language": "ti",
        "regions": ["ER-MA", "ER-DK", "ER-AN"],
        "first": ["Tesfay", "Yonas", "Berhane", "Merhawi", "Senait", "Helen", "Saba", "Filmon"],
        "last": ["Tesfamariam", "Gebremedhin", "Kidane", "Haile", "Ghebreyesus", "Bekele"],
    },
    "IQ": {
        "language": "ar",
        "regions": ["IQ-NI", "IQ-BG", "IQ-AR", "IQ-DA"],
        "first": ["Ali", "Hussein", "Mustafa", "Zainab", "Noor", "Sara", "Haider", "Dilshad"],
        "last": ["Al-Obaidi", "Jaber", "Kareem", "Mahmoud", "Barzani", "Saeed"],
    },
    "UA": {
        "language": "uk",
        "regions": ["UA-63", "UA-14", "UA-46", "UA-51", "UA-30"],
        "first": ["Olena", "Iryna", "Oksana", "Andrii", "Dmytro", "Serhii", "Natalia", "Yulia", "Bohdan"],
        "last": ["Kovalenko", "Shevchenko", "Bondarenko", "Melnyk", "Tkachenko", "Kravchenko"],
    },
    "SO": {
        "language": "so",
        "regions": ["SO-BN", "SO-WO", "SO-BR"],
        "first": ["Abdi", "Mohamed", "Hodan", "Amina", "Farhan", "Ayaan", "Said"],
        "last": ["Farah", "Warsame", "Abdullahi", "Hassan", "Yusuf", "Omar"],
    },
}

TOWNS = ["Erfurt", "Jena", "Gera", "Weimar", "Gotha", "Nordhausen", "Eisenach", "Suhl", "Mühlhausen", "Ilmenau"]
# Preferred German labels of demo occupations (bridges/demo_taxonomy.py) that candidates wish for.
OCCUPATION_HINTS = [
    "Schweiß",
    "Elektro",
    "Pflege",
    "Lager",
    "Koch",
    "Berufskraft",
    "IT",
    "Bau",
    "Landwirt",
    "Dolmetsch",
    "Mechatron",
    "Büro",
]


def _occupations() -> list[Occupation]:
    found = []
    for hint in OCCUPATION_HINTS:
        occupation = Occupation.objects.filter(all_labels__language="de", all_labels__text__icontains=hint).first()
        if occupation:
            found.append(occupation)
    return found


@transaction.atomic
def demo_candidates_load(*, case_worker: User | None) -> dict[str, int]:
    """Create or refresh the demo candidates; returns counts."""
    rng = random.Random(2026)
    today = timezone.localdate()
    occupations = _occupations()
    languages = {
        lang.code: lang
        for lang in Language.objects.filter(code__in=["de", "en", "ar", "prs", "ti", "uk", "so", "ru", "fa", "ku"])
    }
    towns = {p.name: p for p in Place.objects.filter(country="DE", name__in=TOWNS).order_by("population")}
    regions = {r.code: r for r in Region.objects.filter(country__in=list(ORIGINS))}
    created = 0
    for index in range(COUNT):
        country = list(ORIGINS)[index % len(ORIGINS)]
        origin = ORIGINS[country]
        first, last = rng.choice(origin["first"]), rng.choice(origin["last"])
        perspective = rng.choices([Perspective.STAY, Perspective.RETURN, Perspective.OPEN], weights=[5, 2, 3])[0]
        permission = rng.choices(list(WorkPermission), weights=[6, 3, 1])[0]
        region = regions.get(rng.choice(origin["regions"]))
        town = towns.get(rng.choice(TOWNS))
        values = {
            "first_name": first,
            "last_name": last,
            "date_of_birth": date(rng.randint(1970, 2004), rng.randint(1, 12), rng.randint(1, 28)),
            "gender": rng.choice(["female", "male"]),
            "phone": f"+49 {rng.randint(151, 179)} {rng.randint(1000000, 9999999)}",
            "postal_code": f"{rng.randint(98500, 99999)}",
            "place": town,
            "nationality": country,
            "country_of_origin": country,
            "region_of_origin": region,
            "residence_status": rng.choice(list(ResidenceStatus)[:5]),
            "work_permission": permission,
            "work_permission_valid_until": today + timedelta(days=rng.randint(60, 900)),
            "perspective": perspective,
            "return_country": country if perspective == Perspective.RETURN else "",
            "return_region": region if perspective == Perspective.RETURN else None,
            "max_commute_km": rng.choice([10, 20, 30, 50, None]),
            "willing_to_relocate": rng.random() < 0.3,
            "available_from": rng.choice([None, today + timedelta(days=rng.randint(7, 120))]),
            "driving_licences": rng.choice([[], ["B"], ["B", "C", "CE"], ["forklift"], ["B", "forklift"]]),
            "support_needs": rng.sample([s.value for s in SupportNeed], k=rng.randint(0, 2)),
            "status": rng.choices([Status.ACTIVE, Status.IN_PLACEMENT, Status.INACTIVE], weights=[8, 1, 1])[0],
            "last_confirmed": today - timedelta(days=rng.randint(0, 300)),
            "case_worker": case_worker,
            "rescore_requested_at": timezone.now(),
        }
        candidate, was_created = Candidate.objects.update_or_create(
            email=f"demo-{index:02d}{DEMO_EMAIL_DOMAIN}", defaults=values
        )
        created += was_created
        candidate.languages.all().delete()
        native = languages.get(origin["language"])
        if native:
            CandidateLanguage.objects.create(candidate=candidate, language=native, level=CEFRLevel.NATIVE)
        if "de" in languages:
            level = rng.choice([CEFRLevel.A1, CEFRLevel.A2, CEFRLevel.B1, CEFRLevel.B1, CEFRLevel.B2, CEFRLevel.C1])
            CandidateLanguage.objects.create(candidate=candidate, language=languages["de"], level=level)
        if "en" in languages and rng.random() < 0.4:
            CandidateLanguage.objects.create(candidate=candidate, language=languages["en"], level=CEFRLevel.B1)
        if occupations:
            wished = rng.sample(occupations, k=min(len(occupations), rng.randint(1, 2)))
            candidate.desired_occupations.set(wished)
            skills = [rel.skill for rel in wished[0].skill_relations.select_related("skill")[:4]]
            candidate.skills.set(rng.sample(skills, k=min(len(skills), rng.randint(1, 4))) if skills else [])
            candidate.experience.all().delete()
            WorkExperience.objects.create(
                candidate=candidate,
                occupation=wished[0],
                country=country,
                employer_name=rng.choice(["Familienbetrieb", "Werkstatt", "Baufirma", "Krankenhaus", "Hotel"]),
                years=rng.choice([1, 2, 3, 5, 8, 12]),
            )
        candidate.education.all().delete()
        Education.objects.create(
            candidate=candidate,
            degree_level=rng.choice(["secondary", "upper_secondary", "vocational", "bachelor"]),
            country=country,
            year_completed=rng.randint(1990, 2022),
            recognition=rng.choice(["not_applied", "in_progress", "full", "partial"]),
        )
        _demo_consent(candidate, Consent.Purpose.PROCESSING, case_worker=case_worker, days_ago=index % 60 + 30)
        # Most candidates agree to be shown anonymised to employers; every seventh does not.
        if index % 7 != 3:
            _demo_consent(candidate, Consent.Purpose.PROFILING, case_worker=case_worker, days_ago=index % 60 + 30)
        if index == FREE_TEXT_CONSENT[0]:
            _demo_consent(
                candidate,
                Consent.Purpose.SHARING,
                case_worker=case_worker,
                days_ago=400,
                recipient=FREE_TEXT_CONSENT[1],
                needs_review=True,
            )
    consents = demo_sharing_consents_load(case_worker=case_worker)
    return {"created": created, "updated": COUNT - created, "sharing_consents": consents}


# Consents to share with demo employers (employers/demo.py): (organisation, hint of the desired
# occupation); the first two demo candidates who wish for such an occupation consent.
SHARING_CONSENTS = [
    ("Amsel Metallbau GmbH", "Schweiß"),
    ("Ringelberg Logistik GmbH & Co. KG", "Lager"),
    ("Seniorenresidenz Elsterblick GmbH", "Pflege"),
]
# A consent recorded as free text before consents named an organisation, which names none of them
# (the migration flagged such consents): (demo candidate number, the text).
FREE_TEXT_CONSENT = (7, "Metallbau Amsel, Erfurt")


def _demo_consent(
    candidate: Candidate,
    purpose: str,
    *,
    case_worker: User | None,
    days_ago: int,
    employer=None,
    recipient: str = "",
    needs_review: bool = False,
) -> bool:
    """One demo consent, unless the candidate has it (standing or withdrawn); True if created."""
    recipient = employer.name if employer is not None else recipient
    if candidate.consents.filter(purpose=purpose, employer=employer, recipient=recipient).exists():
        return False
    Consent.objects.create(
        candidate=candidate,
        purpose=purpose,
        employer=employer,
        recipient=recipient,
        needs_review=needs_review,
        wording_version="2026-01",
        method=Consent.Method.IN_PERSON,
        given_at=timezone.now() - timedelta(days=days_ago),
        recorded_by=case_worker,
    )
    return True


@transaction.atomic
def demo_sharing_consents_load(*, case_worker: User | None) -> int:
    """Consents of a few demo candidates to share their profile with a demo employer, for those of
    SHARING_CONSENTS that exist (seed_demo loads the employers after the candidates: call this
    again then). Idempotent; returns how many were created."""
    organisations = Consent._meta.get_field("employer").related_model.objects
    created = 0
    for name, hint in SHARING_CONSENTS:
        employer = organisations.filter(name=name).order_by("pk").first()
        if employer is None:
            continue
        candidates = (
            Candidate.objects.filter(
                email__endswith=DEMO_EMAIL_DOMAIN,
                desired_occupations__all_labels__language="de",
                desired_occupations__all_labels__text__icontains=hint,
            )
            .distinct()
            .order_by("email")[:2]
        )
        for candidate in candidates:
            created += _demo_consent(
                candidate, Consent.Purpose.SHARING, case_worker=case_worker, days_ago=14, employer=employer
            )
    return created
