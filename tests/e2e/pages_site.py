"""The world of the page checks (tests/e2e/test_pages.py, test_pages_arabic.py): demo data with long
names and many rows, one account per role, and the key pages of every role by name."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count
from django.utils import timezone

from bridges.demo_taxonomy import demo_taxonomy_load
from bridges.models import CEFRLevel, Language, Occupation, Place, Skill
from bridges.reference_data import reference_data_load
from candidates.demo import demo_candidates_load
from candidates.models import CandidateLanguage, Education, Perspective, WorkExperience
from employers.demo import demo_employers_load
from employers.models import Employer, LanguageRequirement
from matching.introductions import Slot, interviews_propose, introduction_create
from matching.models import Match, MatchDecision, ScoringConfig, SharedSection
from matching.services import rescore_all
from tests.candidates.factories import CandidateFactory, ConsentFactory, ProfilingConsentFactory
from tests.employers.factories import PositionFactory
from tests.factories import AdminFactory, CaseWorkerFactory, UserFactory

LAPTOP, PHONE = 1280, 390
EMAILS = {
    "anonymous": None,
    "employer": "personalabteilung.ausbildung@thueringer-fahrzeugkomponenten.example",
    "case_worker": "beratung.integration.arbeitsmarkt@bridges.example",
    "admin": "administration.programmleitung@bridges.example",
}


@dataclass(frozen=True)
class Site:
    position: int  # the employer's position with the most matches
    long_position: int  # the employer's position with the longest title and four languages
    candidate: int  # the candidate with the longest name
    candidate_position: int  # the best match of that candidate
    employer: int
    introduction: int  # that candidate introduced to the long position, everything shared, at "interested"


def build_site() -> Site:
    """The demo data (about 50 candidates, 15 companies, 40 positions, 450 matches) plus the longest
    names the forms accept in practice, and decisions on the ranked lists."""
    reference_data_load(countries=["DE", "SY", "IQ", "AF", "UA", "ER", "TN", "SO"])
    demo_taxonomy_load()
    case_worker = CaseWorkerFactory(
        email=EMAILS["case_worker"], first_name="Friederike", last_name="Müller-Lüdenscheidt"
    )
    employer_user = UserFactory(
        email=EMAILS["employer"], first_name="Maximiliane-Charlotte", last_name="Schwarzenberger-Hohenlohe"
    )
    AdminFactory(email=EMAILS["admin"])
    demo_candidates_load(case_worker=case_worker)
    demo_employers_load(employer_user=employer_user, case_worker=case_worker)

    company = Employer.objects.get(members__user=employer_user)
    company.name = "Thüringer Fahrzeugkomponenten- und Präzisionsmaschinenbau GmbH & Co. KG"
    company.save()
    erfurt = Place.objects.filter(country="DE", name="Erfurt").order_by("-population").first()
    warehouse = Occupation.objects.filter(all_labels__text="Lagerhelfer/in").first()
    languages = {language.code: language for language in Language.objects.filter(code__in=["de", "ar", "en", "ti"])}
    long_position = PositionFactory(
        employer=company,
        created_by=employer_user,
        title="Fachkraft für Lagerlogistik und Kommissionierung (m/w/d) im Dreischichtbetrieb mit Staplerschein",
        occupation=warehouse,
        postal_code="99084",
        place=erfurt,
        start_date=date(2027, 8, 1),
    )
    for code, level, required in [("de", CEFRLevel.B2, True), ("ar", CEFRLevel.NATIVE, False), ("en", 3, False)]:
        LanguageRequirement.objects.create(
            position=long_position, language=languages[code], min_level=level, required=required
        )

    candidate = CandidateFactory(
        first_name="Mohammed Abdulrahman",
        last_name="Al-Hashimi Abu Zaid-Rahmanzadeh",
        email="mohammed.abdulrahman.al-hashimi@kandidaten.bridges.example",
        place=erfurt,
        nationality="ER",
        perspective=Perspective.OPEN,
        case_worker=case_worker,
    )
    for code, level in [("ti", CEFRLevel.NATIVE), ("ar", CEFRLevel.C1), ("de", CEFRLevel.B2), ("en", CEFRLevel.B1)]:
        CandidateLanguage.objects.create(candidate=candidate, language=languages[code], level=level)
    candidate.desired_occupations.set(Occupation.objects.filter(all_labels__language="de").distinct()[:4])
    candidate.skills.set(Skill.objects.all()[:10])
    WorkExperience.objects.create(
        candidate=candidate,
        occupation=warehouse,
        job_title="Stellvertretender Schichtleiter Wareneingang und Qualitätssicherung",
        employer_name="Eritrean Shipping and Logistics Services Share Company",
        years=6,
    )
    Education.objects.create(
        candidate=candidate,
        degree_level=Education.DegreeLevel.values[-1],
        field="Betriebswirtschaftslehre mit Schwerpunkt Internationale Logistik",
        institution="Mai Nefhi College of Engineering and Technology",
        country="ER",
        year_completed=2012,
    )

    # Consents with the longest organisation name and a flagged free-text one widen the consents.
    ConsentFactory(candidate=candidate, employer=company, recorded_by=case_worker)
    ProfilingConsentFactory(candidate=candidate, recorded_by=case_worker)
    ConsentFactory(
        candidate=candidate,
        employer=None,
        recipient="Thüringer Fahrzeugkomponenten- und Präzisionsmaschinenbau, Werk Eisenach",
        needs_review=True,
    )

    config = ScoringConfig.active()
    config.employers_see_summaries = True
    config.save()
    rescore_all()

    busiest = Match.objects.filter(position__employer=company).values("position").annotate(n=Count("pk"))
    position = busiest.order_by("-n").first()["position"]
    candidate_position = Match.objects.filter(candidate=candidate).order_by("rank_for_candidate").first().position_id
    # Decisions widen the decision column: one shortlisted, one dismissed with the longest reason.
    for matches in (
        Match.objects.filter(position=position).order_by("-score")[:2],
        Match.objects.filter(candidate=candidate).order_by("-score")[:2],
    ):
        first, second = list(matches)
        MatchDecision.objects.get_or_create(
            candidate_id=first.candidate_id, position_id=first.position_id, defaults={"status": "shortlisted"}
        )
        MatchDecision.objects.get_or_create(
            candidate_id=second.candidate_id,
            position_id=second.position_id,
            defaults={"status": "dismissed", "reason": "candidate", "note": "Möchte zuerst den Sprachkurs beenden."},
        )
    # An introduction with every section shared and interview dates proposed (the employer's pages).
    candidate.desired_occupations.add(warehouse)
    introduction = introduction_create(
        candidate=candidate,
        position=long_position,
        actor=case_worker,
        sections=SharedSection.values,
        message="Herr Al-Hashimi hat sechs Jahre Erfahrung im Wareneingang und kann ab August anfangen.",
    )
    soon = timezone.now() + timedelta(days=10)
    interviews_propose(
        introduction=introduction,
        actor=employer_user,
        slots=[
            Slot(soon, place="Werk 2, Haupteingang, Personalabteilung, Raum 2.17"),
            Slot(soon, online_link="https://meet.example/vorstellungsgespraech-lagerlogistik"),
        ],
    )
    return Site(
        position=position,
        long_position=long_position.pk,
        candidate=candidate.pk,
        candidate_position=candidate_position,
        employer=company.pk,
        introduction=introduction.pk,
    )


PAGES = {
    "anonymous": {
        "login": "/accounts/login/",
        "sign-up": "/accounts/signup/",
        "password reset": "/accounts/password/reset/",
        "job board": "/jobs/",
        "job board, position": "/jobs/{s.long_position}/",
    },
    "employer": {
        "dashboard": "/employer/",
        "positions": "/employer/positions/",
        "new position": "/employer/positions/new/",
        "position form": "/employer/positions/{s.long_position}/edit/",
        "position": "/employer/positions/{s.long_position}/",
        "matches of a position": "/dashboard/employer/positions/{s.position}/matches/",
        "company profile": "/employer/profile/",
        "regions of engagement": "/employer/profile/regions/",
        "contact persons": "/employer/profile/contacts/",
        "colleagues": "/employer/colleagues/",
        "e-mail settings": "/settings/notifications/",
        "two-factor authentication": "/accounts/2fa/",
        "change password": "/accounts/password/change/",
        "introductions": "/employer/introductions/?stage=all",
        "introduction": "/employer/introductions/{s.introduction}/",
    },
    "case_worker": {
        "dashboard": "/dashboard/",
        "candidates": "/candidates/",
        "candidate": "/candidates/{s.candidate}/",
        "new candidate": "/candidates/new/",
        **{
            f"candidate section {section}": f"/candidates/{{s.candidate}}/edit/{section}/"
            for section in ["personal", "legal", "languages", "education", "experience", "profile", "perspective"]
        },
        "import": "/candidates/import/",
        "matches": "/dashboard/matches/",
        "matches of a position": "/dashboard/positions/{s.position}/matches/",
        "matches of a candidate": "/dashboard/candidates/{s.candidate}/matches/",
        "explanation": "/dashboard/explain/{s.candidate}/{s.candidate_position}/",
        "allocation": "/dashboard/allocation/",
        "introduce directly": "/dashboard/candidates/{s.candidate}/introduce/",
        "introductions of a candidate": "/dashboard/candidates/{s.candidate}/introductions/",
        "introductions": "/dashboard/introductions/",
        "board": "/dashboard/introductions/board/",
        "introduction": "/dashboard/introductions/{s.introduction}/",
        "employers": "/employer/companies/",
        "record a company": "/employer/companies/new/",
        "employer": "/employer/companies/{s.employer}/",
        "all positions": "/employer/all-positions/",
        "position": "/employer/positions/{s.position}/",
        "job board": "/jobs/",
        "e-mail settings": "/settings/notifications/",
        "two-factor authentication": "/accounts/2fa/",
    },
    "admin": {
        "administration": "/admin/",
        "candidates": "/admin/candidates/candidate/",
        "candidate": "/admin/candidates/candidate/{s.candidate}/change/",
        "employers": "/admin/employers/employer/",
        "positions": "/admin/employers/position/",
        "matches": "/admin/matching/match/",
        "match runs": "/admin/matching/matchrun/",
        "decisions": "/admin/matching/matchdecision/",
        "users": "/admin/bridges/user/",
        "audit trail": "/admin/bridges/auditevent/",
        "e-mail notifications": "/admin/bridges/notification/",
        "second factors": "/admin/mfa/authenticator/",
    },
}
