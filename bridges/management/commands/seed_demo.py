"""seed_demo: reference data, demo taxonomy, candidates, employers and accounts for `make run`.

It lives in `matching`, the one app that may import all others.
"""

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from bridges.account_security import user_totp_activate
from bridges.demo_taxonomy import demo_taxonomy_load
from bridges.models import Notification, Role, User
from bridges.reference_data import reference_data_load
from bridges.services import user_mark_email_verified
from candidates.demo import demo_candidates_load, demo_sharing_consents_load
from employers.demo import demo_employers_load
from matching.demo import demo_candidate_login, demo_introductions_load
from matching.demo_history import demo_history_load
from matching.models import MatchRun
from matching.services import rescore_all

# Demo only: these passwords are printed and listed in the README.
DEMO_USERS = [
    {
        "email": "admin@bridges.example",
        "password": "demo-admin-2026",
        "role": Role.ADMIN,
        "first_name": "Anna",
        "last_name": "Admin",
    },
    {
        "email": "berater@bridges.example",
        "password": "demo-berater-2026",
        "role": Role.CASE_WORKER,
        "first_name": "Bernd",
        "last_name": "Berater",
    },
    {
        "email": "arbeitgeber@bridges.example",
        "password": "demo-arbeitgeber-2026",
        "role": Role.EMPLOYER,
        "first_name": "Erika",
        "last_name": "Unternehmerin",
    },
    # The own view of a demo candidate with open introductions (tied to that candidate below).
    {
        "email": "kandidatin@bridges.example",
        "password": "demo-kandidatin-2026",
        "role": Role.CANDIDATE,
        "first_name": "",
        "last_name": "",
    },
]

# Demo only, printed and in the README: the authenticator app key of the demo admin and case worker
# (staff must log in with a second factor). With MFA_REQUIRED_FOR_STAFF=false (DEBUG only) they
# get none and log in with the password alone.
DEMO_TOTP_SECRET = "BRIDGESDEMOTOTPSECRETFORSTAFFXYZ"


class Command(BaseCommand):
    help = (
        "Load the reference data (languages, regions, towns), the demo taxonomy, about 50 demo "
        "candidates, the demo accounts (admin, case worker, employer user) with known passwords, and "
        "introductions at every stage, most of them to the demo employer's positions. "
        "Idempotent: running it again refreshes the demo records and creates nothing twice. "
        "For demonstrations only; never run it on a production database."
    )

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        reference = reference_data_load()
        self.stdout.write(f"Reference data: {reference}")
        taxonomy = demo_taxonomy_load()
        self.stdout.write(f"Demo taxonomy: {taxonomy}")
        created = 0
        for spec in DEMO_USERS:
            is_admin = spec["role"] == Role.ADMIN
            user, was_created = User.objects.update_or_create(
                email=spec["email"],
                defaults={
                    "role": spec["role"],
                    "first_name": spec["first_name"],
                    "last_name": spec["last_name"],
                    "is_staff": is_admin,
                    "is_superuser": is_admin,
                    "is_active": True,
                },
            )
            user.set_password(spec["password"])
            user.save(update_fields=["password"])
            user_mark_email_verified(user=user)
            if spec["role"] in (Role.ADMIN, Role.CASE_WORKER):
                if settings.MFA_REQUIRED_FOR_STAFF:
                    user_totp_activate(user=user, secret=DEMO_TOTP_SECRET)
                else:
                    Authenticator.objects.filter(user=user).delete()
            created += was_created
        case_worker = User.objects.get(email="berater@bridges.example")
        candidates = demo_candidates_load(case_worker=case_worker)
        self.stdout.write(f"Demo candidates: {candidates}")
        employer_user = User.objects.get(email="arbeitgeber@bridges.example")
        employers = demo_employers_load(employer_user=employer_user, case_worker=case_worker)
        self.stdout.write(f"Demo employers: {employers}")
        consents = demo_sharing_consents_load(case_worker=case_worker)
        self.stdout.write(f"Demo consents to share: {consents}")
        run = rescore_all(trigger=MatchRun.Trigger.FULL)
        self.stdout.write(f"Matching: {run.pairs_scored} pairs scored, {run.rows_written} matches stored.")
        seeded_from = timezone.now()
        introductions = demo_introductions_load(case_worker=case_worker, employer_user=employer_user)
        history = demo_history_load(
            case_worker=case_worker, admin=User.objects.get(email="admin@bridges.example"), employer_user=employer_user
        )
        own_view = demo_candidate_login(user=User.objects.get(email="kandidatin@bridges.example"))
        self.stdout.write(f"Own view of the candidate: {own_view}")
        # Seeding is not news: the mails the demo introductions wrote to the outbox are not sent
        # (the queued sends find no row once this transaction commits).
        Notification.objects.filter(created_at__gte=seeded_from).delete()
        self.stdout.write(f"Demo introductions: {introductions}")
        self.stdout.write(f"A year of history (budgets, placements, support measures): {history}")
        self.stdout.write(self.style.SUCCESS(f"Demo accounts: {created} created, {len(DEMO_USERS) - created} updated."))
        self.stdout.write("Log in at http://127.0.0.1:8000/ with:")
        for spec in DEMO_USERS:
            self.stdout.write(f"  {spec['role'].label!s:<15} {spec['email']:<30} {spec['password']}")
        if settings.MFA_REQUIRED_FOR_STAFF:
            self.stdout.write(
                f"Admin and case worker then enter the code of an authenticator app set up with the key "
                f"{DEMO_TOTP_SECRET} (e.g. `oathtool --totp -b {DEMO_TOTP_SECRET}`); "
                "MFA_REQUIRED_FOR_STAFF=false make run logs them in with the password alone."
            )
