"""factory_boy factories shared by the suite."""

import time

import factory
from allauth.account.models import EmailAddress
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt

from bridges.account_security import user_totp_activate
from bridges.models import Occupation, OccupationLabel, Role, Skill, SkillLabel, User

DEFAULT_PASSWORD = "correct-horse-battery-staple"
# Case workers and admins must have a second factor: the personas' authenticator app has this secret.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def totp_counter(margin: float = 5.0) -> int:
    """The current TOTP period, waiting for the next one when fewer than `margin` seconds are left:
    the portal accepts only the current period's code, and a code typed at 29.9 s of a period
    arrives in the next one on a busy machine."""
    now = time.time()
    left = mfa_settings.TOTP_PERIOD - now % mfa_settings.TOTP_PERIOD
    if left < margin:
        time.sleep(left + 0.05)
        now = time.time()
    return int(now) // mfa_settings.TOTP_PERIOD


def totp_code(user: User, *, step: int = 0) -> str:
    """The code `user`'s authenticator app shows now (or `step` periods later)."""
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    counter = totp_counter() + step
    return format_hotp_value(hotp_value(decrypt(authenticator.data["secret"]), counter))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    first_name = factory.Faker("first_name", locale="de_DE")
    last_name = factory.Faker("last_name", locale="de_DE")
    role = Role.EMPLOYER

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        password = kwargs.pop("password", DEFAULT_PASSWORD)
        return model_class.objects.create_user(*args, password=password, **kwargs)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class StaffFactory(UserFactory):
    """Staff have set up their authenticator app (secret TOTP_SECRET); `totp=False` leaves it out."""

    @factory.post_generation
    def totp(self, create, extracted, **kwargs):
        if create and extracted is not False:
            user_totp_activate(user=self, secret=TOTP_SECRET)


class CaseWorkerFactory(StaffFactory):
    email = factory.Sequence(lambda n: f"caseworker{n}@bridges.example")
    role = Role.CASE_WORKER


class AdminFactory(StaffFactory):
    email = factory.Sequence(lambda n: f"admin{n}@bridges.example")
    role = Role.ADMIN
    is_staff = True
    is_superuser = True


class CandidateUserFactory(UserFactory):
    """A candidate's own login, as accepting an invitation to the own view makes it (no digest); tie
    it to the person with `Candidate.user` (`CandidateFactory(user=...)`)."""

    email = factory.Sequence(lambda n: f"candidate{n}@konto.bridges.example")
    role = Role.CANDIDATE
    digest_enabled = False


class OccupationFactory(factory.django.DjangoModelFactory):
    """An occupation with its preferred labels, also in the searchable label table."""

    class Meta:
        model = Occupation
        skip_postgeneration_save = True

    labels = factory.Sequence(lambda n: {"de": f"Beruf {n}", "en": f"Occupation {n}"})
    isco_group = "7212"

    @factory.post_generation
    def searchable(self, create, extracted, **kwargs):
        if create:
            for language, text in self.labels.items():
                OccupationLabel.objects.get_or_create(occupation=self, language=language, text=text, preferred=True)


class SkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Skill
        skip_postgeneration_save = True

    labels = factory.Sequence(lambda n: {"de": f"Fertigkeit {n}", "en": f"Skill {n}"})

    @factory.post_generation
    def searchable(self, create, extracted, **kwargs):
        if create:
            for language, text in self.labels.items():
                SkillLabel.objects.get_or_create(skill=self, language=language, text=text, preferred=True)
