"""Minimal factories for the demo and expiry tests (independent of tests/employers/factories.py)."""

import datetime

import factory
from django.utils import timezone

from bridges.models import Place
from employers.models import Employer, Position
from tests.factories import OccupationFactory


class PlaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Place

    geonameid = factory.Sequence(lambda n: 9_000_000 + n)
    name = factory.Sequence(lambda n: f"Teststadt {n}")
    country = "DE"
    latitude = 50.98
    longitude = 11.03
    population = 10_000


class EmployerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employer

    name = factory.Sequence(lambda n: f"Testfirma {n} GmbH")
    sector = "C"
    postal_code = "99084"
    place = factory.SubFactory(PlaceFactory)
    verification = Employer.Verification.APPROVED


class PositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Position

    employer = factory.SubFactory(EmployerFactory)
    title = factory.Sequence(lambda n: f"Stelle {n}")
    description = "Eine Stelle für die Tests."
    occupation = factory.SubFactory(OccupationFactory)
    position_type = Position.PositionType.EMPLOYMENT
    postal_code = "99084"
    status = Position.Status.OPEN
    expires_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))
