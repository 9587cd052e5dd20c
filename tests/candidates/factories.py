"""factory_boy factories for candidates: minimal, valid profiles with realistic names."""

import datetime

import factory
from django.utils import timezone

from bridges.models import CEFRLevel, Language, Place
from candidates.models import (
    Candidate,
    CandidateLanguage,
    Consent,
    Perspective,
    ResidenceStatus,
    Status,
    WorkPermission,
)


class LanguageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Language
        django_get_or_create = ("code",)

    code = "de"
    name_en = "German"
    name_de = "Deutsch"


class PlaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Place
        django_get_or_create = ("geonameid",)

    geonameid = 2929670  # Erfurt
    name = "Erfurt"
    country = "DE"
    latitude = 50.9787
    longitude = 11.0328
    population = 203254


class CandidateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Candidate

    first_name = factory.Iterator(["Amina", "Ahmad", "Lukas", "Zahra", "Omar", "Fatima", "Hamid", "Lena", "Yara"])
    last_name = factory.Iterator(["Al-Hassan", "Rahimi", "Schneider", "Haidari", "Khalil", "Ahmadi", "Nouri", "Weber"])
    date_of_birth = factory.Sequence(lambda n: datetime.date(1975 + n % 25, 1 + n % 12, 1 + n % 28))
    nationality = factory.Iterator(["SY", "AF", "DE"])
    country_of_origin = factory.SelfAttribute("nationality")
    place = factory.SubFactory(PlaceFactory)
    residence_status = ResidenceStatus.RESIDENCE_PERMIT
    work_permission = WorkPermission.ALLOWED
    perspective = Perspective.STAY
    status = Status.ACTIVE


class CandidateLanguageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CandidateLanguage

    candidate = factory.SubFactory(CandidateFactory)
    language = factory.SubFactory(LanguageFactory)
    level = CEFRLevel.B1


class ConsentFactory(factory.django.DjangoModelFactory):
    """A standing consent to share the profile with one organisation (pass employer=)."""

    class Meta:
        model = Consent

    candidate = factory.SubFactory(CandidateFactory)
    purpose = Consent.Purpose.SHARING
    recipient = factory.LazyAttribute(lambda consent: consent.employer.name if consent.employer else "")
    wording_version = "2026-01"
    method = Consent.Method.IN_PERSON
    given_at = factory.LazyFunction(timezone.now)


class ProfilingConsentFactory(ConsentFactory):
    """A standing consent to the anonymised summaries employers may see (no employer)."""

    purpose = Consent.Purpose.PROFILING
    employer = None
    recipient = ""


PDF_BYTES = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def pdf_document(candidate, actor, *, title: str = "Zeugnis", kind: str = "certificate"):
    """A small PDF stored through the documents service (needs the private_media fixture)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from candidates import documents

    return documents.document_add(
        candidate=candidate,
        uploaded_file=SimpleUploadedFile(f"{title.lower()}.pdf", PDF_BYTES),
        kind=kind,
        title=title,
        actor=actor,
    )
