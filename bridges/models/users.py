"""Users and roles, shared by every app.

A user logs in with an e-mail address and has exactly one role. Employer users
belong to an employer organisation; that relation is owned by the `employers`
app (a membership row pointing at the user), so that this app never imports
`employers` and the dependency direction stays bridges <- employers.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CASE_WORKER = "case_worker", _("Case worker")
    EMPLOYER = "employer", _("Employer user")
    ADMIN = "admin", _("Administrator")
    # A person the programme supports, in their own view of their data (`candidates.portal`).
    CANDIDATE = "candidate", _("Candidate")


# Where each role lands after login (URL names, so this app imports no other app).
START_PAGES = {
    Role.CASE_WORKER: "matching:dashboard",
    Role.EMPLOYER: "employers:dashboard",
    Role.ADMIN: "admin:index",
    Role.CANDIDATE: "me:home",
}


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields) -> User:
        extra_fields.setdefault("role", Role.EMPLOYER)
        extra_fields.setdefault("is_staff", extra_fields["role"] == Role.ADMIN)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields) -> User:
        extra_fields.update(role=Role.ADMIN, is_staff=True, is_superuser=True)
        user = self._create_user(email, password, **extra_fields)
        # Accounts made on the command line are trusted: their address counts as verified.
        from bridges.services import user_mark_email_verified

        user_mark_email_verified(user=user)
        return user


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("e-mail address"), unique=True)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.EMPLOYER)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=[("de", _("German")), ("en", _("English")), ("ar", _("Arabic"))],
        default="de",
        help_text=_("Language of e-mails sent to this user."),
    )
    digest_enabled = models.BooleanField(
        _("daily digest"),
        default=True,
        help_text=_("A daily e-mail with new strong matches for the user's candidates (case workers)."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("staff status"),
        default=False,
        help_text=_("Can log into the admin site. Only administrators."),
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # Raised to end every session of the user (bridges.account_security.user_sessions_end).
    session_epoch = models.PositiveIntegerField(_("session generation"), default=0, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
            # Employer users are external: never staff, never superuser.
            models.CheckConstraint(
                condition=~models.Q(role="employer") | models.Q(is_staff=False, is_superuser=False),
                name="user_employer_not_staff",
            ),
            models.CheckConstraint(
                condition=~models.Q(role="candidate") | models.Q(is_staff=False, is_superuser=False),
                name="user_candidate_not_staff",
            ),
            models.CheckConstraint(
                condition=~models.Q(role="admin") | models.Q(is_staff=True),
                name="user_admin_is_staff",
            ),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def display_name(self) -> str:
        """The name people read (lists, choices): the full name, or the e-mail address where none is recorded."""
        return self.name_of(self.first_name, self.last_name, self.email)

    @staticmethod
    def name_of(first_name: str, last_name: str, email: str) -> str:
        """`display_name` from the values alone (a list read with `values_list`)."""
        return f"{first_name} {last_name}".strip() or email

    def get_session_auth_hash(self) -> str:
        # Django's hash covers the password only; with the epoch, every session can be ended.
        return self._session_auth_hash()

    def get_session_auth_fallback_hash(self):
        for secret in settings.SECRET_KEY_FALLBACKS:
            yield self._session_auth_hash(secret=secret)

    def _session_auth_hash(self, secret: str | None = None) -> str:
        return salted_hmac(
            "bridges.User.get_session_auth_hash",
            f"{self.password}:{self.session_epoch}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.first_name or self.email

    def get_start_url(self) -> str:
        """The page this user lands on after login."""
        return reverse(START_PAGES[Role(self.role)])

    @property
    def is_case_worker(self) -> bool:
        return self.role == Role.CASE_WORKER

    @property
    def is_employer(self) -> bool:
        return self.role == Role.EMPLOYER

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_candidate(self) -> bool:
        return self.role == Role.CANDIDATE

    @property
    def works_cases(self) -> bool:
        """Case workers and admins see all candidates, employers and matches."""
        return self.role in (Role.CASE_WORKER, Role.ADMIN)
