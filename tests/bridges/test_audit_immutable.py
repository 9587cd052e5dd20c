"""Nobody rewrites the audit trail: PostgreSQL refuses every UPDATE and DELETE of an audit row,
through the ORM and in raw SQL, superuser connection included; only the retention purge deletes
(old rows only) and only the erasure scrub blanks summaries. The application role the portal
runs as cannot even try: no UPDATE, DELETE or TRUNCATE on the table, no ALTER or DROP of it or
its trigger."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext_lazy

from bridges.audit_retention import audit_policy_sync, purge_audit_events, scrub_audit_summaries
from bridges.models import AuditEvent
from bridges.services import audit_log

# As the owner (a superuser in the tests): the trigger must hold against it too; the application
# role's tests switch to it themselves.
pytestmark = [pytest.mark.django_db, pytest.mark.owner_role]


def _event(**fields) -> AuditEvent:
    audit_log(actor=None, action="view", target="candidates.candidate", target_id="7", **fields)
    return AuditEvent.objects.latest("pk")


def _aged(days: int) -> AuditEvent:
    """An entry written `days` ago (inserted with its time: the trigger refuses moving `at` later)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bridges_auditevent (at, action, target_type, target_id, summary) "
            "VALUES (now() - make_interval(days => %s), 'view', 'candidates.candidate', %s, '') RETURNING id",
            [days, f"aged-{days}"],
        )
        (pk,) = cursor.fetchone()
    return AuditEvent.objects.get(pk=pk)


def _refused(run) -> str:
    with pytest.raises(DatabaseError) as error, transaction.atomic():
        run()
    return str(error.value)


def test_the_orm_cannot_change_an_audit_entry():
    event = _event(summary="as written")
    event.summary = "rewritten"

    assert "cannot be changed" in _refused(event.save)
    assert "cannot be changed" in _refused(lambda: AuditEvent.objects.filter(pk=event.pk).update(actor=None))
    event.refresh_from_db()
    assert event.summary == "as written"


def test_raw_sql_cannot_change_an_audit_entry():
    event = _event(summary="as written")

    def update() -> None:
        with connection.cursor() as cursor:
            cursor.execute("UPDATE bridges_auditevent SET summary = 'rewritten', at = now() WHERE id = %s", [event.pk])

    assert "cannot be changed" in _refused(update)
    assert AuditEvent.objects.get(pk=event.pk).summary == "as written"


def test_the_orm_cannot_delete_an_audit_entry_new_or_old():
    recent, old = _event(), _aged(3000)

    assert "cannot be deleted" in _refused(recent.delete)
    assert "cannot be deleted" in _refused(lambda: AuditEvent.objects.filter(pk=old.pk).delete())
    assert AuditEvent.objects.filter(pk__in=[recent.pk, old.pk]).count() == 2


def test_raw_sql_cannot_delete_an_audit_entry():
    event = _aged(3000)

    def delete() -> None:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM bridges_auditevent WHERE id = %s", [event.pk])

    assert "cannot be deleted" in _refused(delete)
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_purge_flag_alone_deletes_no_row_younger_than_the_retention_floor():
    young = _aged(10)

    def delete_with_flag() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('bridges.audit_purge', 'on', true)")
            cursor.execute("DELETE FROM bridges_auditevent WHERE id = %s", [young.pk])

    assert "cannot be deleted" in _refused(delete_with_flag)


def test_the_scrub_flag_alone_allows_no_other_change():
    event = _event(summary="as written")

    def rewrite_with_flag() -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('bridges.audit_scrub', 'on', true)")
            cursor.execute(
                "UPDATE bridges_auditevent SET summary = '', actor_id = NULL, action = 'create' WHERE id = %s",
                [event.pk],
            )

    assert "cannot be changed" in _refused(rewrite_with_flag)


def test_a_user_with_audit_entries_is_kept_so_the_entries_keep_who_it_was(case_worker):
    audit_log(actor=case_worker, action="view", target="candidates.candidate", target_id="7")

    with pytest.raises(ProtectedError):
        case_worker.delete()
    assert AuditEvent.objects.get().actor == case_worker


def test_the_purge_deletes_only_entries_older_than_the_retention_period(settings):
    settings.AUDIT_RETENTION_DAYS = 730
    audit_policy_sync()
    kept = [_aged(729), _aged(10), _event()]
    _aged(731), _aged(3000)

    assert purge_audit_events() == 2

    assert set(AuditEvent.objects.values_list("pk", flat=True)) == {event.pk for event in kept}
    assert purge_audit_events() == 0  # idempotent


def test_the_purge_never_goes_below_the_retention_period_whatever_it_is_asked(settings):
    settings.AUDIT_RETENTION_DAYS = 730
    audit_policy_sync()
    kept, due = _aged(400), _aged(800)

    assert purge_audit_events(before=timezone.now() + timedelta(days=1)) == 1

    assert AuditEvent.objects.filter(pk=kept.pk).exists()
    assert not AuditEvent.objects.filter(pk=due.pk).exists()


def test_the_database_keeps_its_floor_when_the_python_side_asks_for_less(settings):
    settings.AUDIT_RETENTION_DAYS = 730
    audit_policy_sync()  # the floor as `migrate` leaves it
    settings.AUDIT_RETENTION_DAYS = 30  # changed without migrating: the database holds to 730
    kept, due = _aged(400), _aged(800)

    assert purge_audit_events() == 1
    assert AuditEvent.objects.filter(pk=kept.pk).exists()
    assert not AuditEvent.objects.filter(pk=due.pk).exists()


def test_the_scrub_blanks_only_the_summaries_of_one_records_entries(case_worker):
    audit_log(
        actor=case_worker,
        action="view",
        target="candidates.candidate",
        target_id="7",
        summary=gettext_lazy("page %(page)s"),
        params={"page": "candidates:detail"},
    )
    about_7 = AuditEvent.objects.latest("pk")
    also_about_7 = _event(summary="written as text")
    audit_log(actor=None, action="view", target="candidates.candidate", target_id="8", summary="about 8")
    about_8 = AuditEvent.objects.latest("pk")

    assert scrub_audit_summaries("candidates.candidate", "7") == 2

    about_7_after = AuditEvent.objects.get(pk=about_7.pk)
    assert (about_7_after.summary, about_7_after.summary_data) == ("", None)
    assert (about_7_after.actor, about_7_after.action, about_7_after.at) == (case_worker, "view", about_7.at)
    assert AuditEvent.objects.get(pk=also_about_7.pk).summary == ""
    assert AuditEvent.objects.get(pk=about_8.pk).summary == "about 8"


# --- the application role -----------------------------------------------------------------------


@pytest.fixture
def app_role(db) -> str:
    """The application role, created in the test's transaction (rolled back with it)."""
    role = f"{connection.settings_dict['NAME']}_app"[:63]
    call_command("create_app_role", role)
    return role


def _as_role(role: str, statement: str, params=()) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'SET LOCAL ROLE "{role}"')
        cursor.execute(statement, params)


def test_the_application_role_writes_and_reads_the_audit_trail_and_works_with_data(app_role, case_worker):
    _as_role(
        app_role,
        "INSERT INTO bridges_auditevent (at, action, target_type, target_id, summary) "
        "VALUES (now(), 'view', 'candidates.candidate', 'by-app-role', '')",
    )
    _as_role(app_role, "UPDATE bridges_user SET first_name = 'Changed' WHERE id = %s", [case_worker.pk])
    _as_role(app_role, "SELECT count(*) FROM bridges_auditevent")

    assert AuditEvent.objects.filter(target_id="by-app-role").exists()
    case_worker.refresh_from_db()
    assert case_worker.first_name == "Changed"


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE bridges_auditevent SET summary = 'rewritten'",
        "DELETE FROM bridges_auditevent",
        "TRUNCATE bridges_auditevent",
        "ALTER TABLE bridges_auditevent DISABLE TRIGGER bridges_audit_immutable",
        "DROP TRIGGER bridges_audit_immutable ON bridges_auditevent",
        "DROP TABLE bridges_auditevent",
        "UPDATE bridges_audit_policy SET retention_days = 1",
        "CREATE OR REPLACE FUNCTION bridges_audit_guard() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END'",
        "TRUNCATE bridges_user CASCADE",
        "DELETE FROM django_migrations",
        "ALTER TABLE candidates_candidate ADD COLUMN intruder int",
        "DROP TABLE candidates_candidate CASCADE",
    ],
)
def test_the_application_role_cannot_rewrite_the_audit_trail_or_the_schema(app_role, statement):
    _event(summary="as written")

    error = _refused(lambda: _as_role(app_role, statement))

    assert "permission denied" in error or "must be owner" in error
    assert AuditEvent.objects.filter(summary="as written").exists()


def test_the_application_role_owns_only_the_match_table_and_is_no_superuser(app_role):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper, rolcreatedb, rolcreaterole, rolcanlogin, rolbypassrls FROM pg_roles WHERE rolname = %s",
            [app_role],
        )
        assert cursor.fetchone() == (False, False, False, True, False)
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner"
            " WHERE r.rolname = %s AND c.relkind IN ('r', 'p', 'v', 'm', 'f') ORDER BY 1",
            [app_role],
        )
        # The engine empties and rebuilds the match table on a full run: it owns that one (derived data).
        assert cursor.fetchall() == [("matching_match",)]
        cursor.execute(
            "SELECT (SELECT count(*) FROM pg_proc WHERE proowner = r.oid)"
            " + (SELECT count(*) FROM pg_namespace WHERE nspowner = r.oid) FROM pg_roles r WHERE rolname = %s",
            [app_role],
        )
        assert cursor.fetchone() == (0,)


def test_the_application_role_purges_and_scrubs_only_through_the_two_functions(app_role, settings):
    settings.AUDIT_RETENTION_DAYS = 730
    audit_policy_sync()
    kept, due = _aged(10), _aged(800)

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f'SET LOCAL ROLE "{app_role}"')
        cursor.execute("SELECT bridges_audit_purge(now())")
        assert cursor.fetchone() == (1,)
        cursor.execute("SELECT bridges_audit_scrub('candidates.candidate', %s)", [kept.target_id])

    assert AuditEvent.objects.filter(pk=kept.pk).exists()
    assert not AuditEvent.objects.filter(pk=due.pk).exists()


def test_the_portal_works_as_the_application_role(app_role, client, case_worker, admin_user):
    from django.urls import reverse

    from tests.candidates.factories import CandidateFactory

    candidate = CandidateFactory(case_worker=case_worker)
    client.force_login(case_worker)
    with connection.cursor() as cursor:
        cursor.execute(f'SET LOCAL ROLE "{app_role}"')  # until the test's transaction ends

        assert client.get(reverse("candidates:detail", args=[candidate.pk])).status_code == 200
        assert client.get(reverse("candidates:edit", args=[candidate.pk, "personal"])).status_code == 200
        response = client.post(
            reverse("candidates:edit", args=[candidate.pk, "legal"]),
            {"residence_status": "niederlassungserlaubnis", "work_permission": "allowed"},
        )
        assert response.status_code == 302
        client.force_login(admin_user)
        assert client.get(reverse("admin:candidates_candidate_changelist")).status_code == 200
        assert client.get(reverse("admin:bridges_auditevent_changelist")).status_code == 200
        cursor.execute("SELECT current_user")
        assert cursor.fetchone() == (app_role,)

    assert AuditEvent.objects.filter(target_id=str(candidate.pk), action="update").exists()
    assert "permission denied" in _refused(lambda: AuditEvent.objects.update(summary="rewritten"))
