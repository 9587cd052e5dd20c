"""factory_boy factories for the staff pages, job board and admin tests of employers."""

import factory

from bridges.models import CEFRLevel
from employers.models import ContactPerson, Employer, EngagementRegion, LanguageRequirement, Membership, Position
from tests.candidates.factories import LanguageFactory, PlaceFactory
from tests.factories import OccupationFactory, UserFactory


class EmployerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employer

    name = factory.Sequence(lambda n: f"Firma {n} GmbH")
    legal_form = "gmbh"
    sector = "C"
    size = "10-49"
    postal_code = "99084"
    place = factory.SubFactory(PlaceFactory)
    verification = Employer.Verification.APPROVED


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    employer = factory.SubFactory(EmployerFactory)


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

    class Params:
        abroad = factory.Trait(
            location=Position.Location.ABROAD,
            postal_code="",
            place=None,
            country="SY",
            position_type=Position.PositionType.RETURN_ABROAD,
        )


class LanguageRequirementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LanguageRequirement

    position = factory.SubFactory(PositionFactory)
    language = factory.SubFactory(LanguageFactory)
    min_level = CEFRLevel.B1
    required = True
