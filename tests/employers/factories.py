"""factory_boy factories for employers: an approved company in Erfurt and open positions in Germany."""

import factory

from bridges.models import CEFRLevel
from employers.models import (
    ContactPerson,
    Employer,
    EngagementRegion,
    LanguageRequirement,
    Membership,
    Position,
    Sector,
)
from tests.candidates.factories import LanguageFactory, PlaceFactory
from tests.factories import OccupationFactory, UserFactory


class EmployerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employer

    name = factory.Sequence(lambda n: f"Firma {n} GmbH")
    legal_form = "gmbh"
    sector = Sector.C
    size = "10-49"
    postal_code = "99084"
    place = factory.SubFactory(PlaceFactory)
    verification = Employer.Verification.APPROVED


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    employer = factory.SubFactory(EmployerFactory)


class PositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Position

    employer = factory.SubFactory(EmployerFactory)
    title = factory.Sequence(lambda n: f"Stelle {n}")
    description = "Wir suchen Verstärkung für unser Team."
    occupation = factory.SubFactory(OccupationFactory)
    position_type = Position.PositionType.EMPLOYMENT
    location = Position.Location.GERMANY
    postal_code = "99084"
    place = factory.SubFactory(PlaceFactory)
    status = Position.Status.OPEN
    created_by = factory.SubFactory(UserFactory)

    class Params:
        abroad = factory.Trait(
            location=Position.Location.ABROAD,
            postal_code="",
            place=None,
            country="SY",
            position_type=Position.PositionType.RETURN_ABROAD,
        )


class ContactPersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactPerson

    employer = factory.SubFactory(EmployerFactory)
    name = factory.Faker("name", locale="de_DE")
    role = "Personalleitung"
    email = factory.Sequence(lambda n: f"kontakt{n}@firma.example")
    is_public = False


class EngagementRegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EngagementRegion

    employer = factory.SubFactory(EmployerFactory)
    country = "SY"
    kind = EngagementRegion.Kind.PARTNER


class LanguageRequirementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LanguageRequirement

    position = factory.SubFactory(PositionFactory)
    language = factory.SubFactory(LanguageFactory)
    min_level = CEFRLevel.B1
    required = True


def employer_form_data(**overrides) -> dict:
    """A valid POST of the company profile form."""
    place = PlaceFactory()
    data = {
        "name": "Thüringer Metallbau GmbH",
        "legal_form": "gmbh",
        "sector": "C",
        "size": "10-49",
        "street": "Anger 1",
        "postal_code": "99084",
        "place": str(place.pk),
        "website": "https://metallbau.example",
        "description": "Stahl- und Metallbau seit 1990.",
        "offers_training": "on",
    }
    data.update(overrides)
    return data


def position_form_data(*, occupation=None, **overrides) -> dict:
    """A valid POST of the position form (new or changed), with an empty language formset."""
    occupation = occupation or OccupationFactory()
    place = PlaceFactory()
    data = {
        "title": "Schweißer/in (m/w/d)",
        "description": "Schweißen von Stahlkonstruktionen.",
        "occupation": str(occupation.pk),
        "position_type": "employment",
        "location": "germany",
        "postal_code": "99084",
        "place": str(place.pk),
        "country": "",
        "region": "",
        "working_time": "full",
        "hours_per_week": "40",
        "start_date": "",
        "openings": "2",
        "salary_min": "2800",
        "salary_max": "3400",
        "requires_work_permission": "on",
        "driving_licence": "B",
        "expires_on": "",
        "languages-TOTAL_FORMS": "0",
        "languages-INITIAL_FORMS": "0",
        "languages-MIN_NUM_FORMS": "0",
        "languages-MAX_NUM_FORMS": "10",
    }
    data.update(overrides)
    return data
