"""seed_scale: a reproducible scale population (issue #14) for page-speed figures and load tests.

The generation lives in `matching/scale_seed.py`; this command parses the options, refuses a
database that holds data already, and prints what it wrote, the seconds per phase and the log-ins.
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from matching import scale_seed


class Command(BaseCommand):
    help = (
        "Write a reproducible scale population into an EMPTY database: reference data, the demo taxonomy, "
        "employers with positions in Germany and abroad, candidates with languages, skills and consents, "
        "the stored matches of a full rescore, and decisions, introductions, placements and support "
        "measures. The same --seed writes the same rows. Accounts: admin@scale.example, "
        "caseworker1..N@scale.example, employer1..M@scale.example, all with --password."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--candidates", type=int, default=10_000)
        parser.add_argument("--employers", type=int, default=300)
        parser.add_argument("--positions", type=int, default=2_000)
        parser.add_argument("--case-workers", type=int, default=20)
        parser.add_argument("--seed", type=int, default=1, help="The same seed writes the same population.")
        parser.add_argument("--password", default=scale_seed.DEFAULT_PASSWORD, help="Password of every account.")
        parser.add_argument(
            "--no-rescore",
            action="store_true",
            help="Write the population only: no matches (and so no decisions, introductions or placements).",
        )

    def handle(self, *args, **options) -> None:
        sizes = scale_seed.Sizes(
            candidates=options["candidates"],
            employers=options["employers"],
            positions=options["positions"],
            case_workers=options["case_workers"],
        )
        if min(sizes.candidates, sizes.employers, sizes.positions, sizes.case_workers) < 1:
            raise CommandError("--candidates, --employers, --positions and --case-workers must be at least 1.")
        reason = scale_seed.refusal()
        if reason:
            raise CommandError(reason)
        verbosity = options["verbosity"]
        started = time.monotonic()
        try:
            report = scale_seed.seed_scale(
                sizes,
                seed=options["seed"],
                password=options["password"],
                rescore=not options["no_rescore"],
                say=(lambda message: self.stdout.write(message)) if verbosity else (lambda message: None),
                quiet=verbosity == 0,
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        # The tasks the services queued run once the transaction commits (here, without a broker).
        report.seconds["commit and queued tasks"] = round(time.monotonic() - started - sum(report.seconds.values()), 2)
        if not verbosity:
            return
        self.stdout.write(self.style.SUCCESS(f"Scale population written (seed {options['seed']})."))
        self.stdout.write("Seconds per phase:")
        for phase, seconds in report.seconds.items():
            self.stdout.write(f"  {phase:<30} {seconds:>8.1f}")
        self.stdout.write(f"  {'total':<30} {sum(report.seconds.values()):>8.1f}")
        if report.pipeline:
            self.stdout.write("Pipeline: " + ", ".join(f"{key} {value}" for key, value in report.pipeline.items()))
        self.stdout.write("Rows per table:")
        for table, count in report.counts.items():
            self.stdout.write(f"  {table:<30} {count:>10,}")
        self.stdout.write(f"Digest of the rows: {report.digest}")
        self.stdout.write(f"Log-ins (password {options['password']!r}):")
        self.stdout.write(f"  admin         {scale_seed.ADMIN_EMAIL}")
        self.stdout.write(
            f"  case workers  {scale_seed.case_worker_email(1)} … {scale_seed.case_worker_email(sizes.case_workers)}"
        )
        self.stdout.write(
            f"  employers     {scale_seed.employer_email(1)} … {scale_seed.employer_email(sizes.employers)}"
        )
        if settings.MFA_REQUIRED_FOR_STAFF:
            self.stdout.write(
                f"Admin and case workers then enter the code of an authenticator app set up with the key "
                f"{scale_seed.TOTP_SECRET} (e.g. `oathtool --totp -b {scale_seed.TOTP_SECRET}`)."
            )
