"""Every logged-in user's e-mail settings page: the mail language and (case workers and admins)
the daily digest; each user changes only their own."""

import pytest
from django.urls import reverse

from bridges.models import User
from tests.candidates.factories import CandidateFactory
from tests.factories import CandidateUserFactory

pytestmark = pytest.mark.django_db

URL = reverse("notification_settings")


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL, follow=True)

    assert response.request["PATH_INFO"] == reverse("account_login")


@pytest.mark.parametrize("persona", ["case_worker", "admin", "employer_a", "employer_b", "candidate"])
def test_every_persona_opens_their_settings(client, personas, persona):
    personas = {**personas, "candidate": CandidateFactory(user=CandidateUserFactory()).user}
    client.force_login(personas[persona])

    response = client.get(URL)

    assert response.status_code == 200
    assert personas[persona].email in response.content.decode()
    assert ('name="digest_enabled"' in response.content.decode()) == (persona in {"case_worker", "admin"})


@pytest.mark.parametrize("persona", ["case_worker", "admin"])
def test_staff_switch_the_digest_off_and_only_their_own(client, personas, persona):
    user = personas[persona]
    client.force_login(user)

    response = client.post(URL, {"language": "en"})

    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.digest_enabled, user.language) == (False, "en")
    others = User.objects.exclude(pk=user.pk)
    assert all(other.digest_enabled and other.language == "de" for other in others)

    client.post(URL, {"language": "de", "digest_enabled": "on"})
    user.refresh_from_db()
    assert (user.digest_enabled, user.language) == (True, "de")


@pytest.mark.parametrize("persona", ["employer_a", "employer_b"])
def test_employers_choose_their_mail_language(client, personas, persona):
    user = personas[persona]
    client.force_login(user)

    response = client.post(URL, {"language": "en"}, follow=True)

    assert response.status_code == 200
    assert "gespeichert" in response.content.decode()  # the page keeps its own language
    user.refresh_from_db()
    assert user.language == "en"
    assert user.digest_enabled is True  # not theirs to switch (no candidates)
    assert {other.language for other in User.objects.exclude(pk=user.pk)} == {"de"}


def test_an_invalid_language_is_refused_and_nothing_saved(client, case_worker):
    client.force_login(case_worker)

    response = client.post(URL, {"language": "xx"})

    assert response.status_code == 200
    assert response.context["form"].errors["language"]
    case_worker.refresh_from_db()
    assert (case_worker.language, case_worker.digest_enabled) == ("de", True)


def test_the_user_menu_links_the_settings(client, employer_a):
    client.force_login(employer_a)

    response = client.get(reverse("employers:dashboard"))

    assert f'href="{URL}"' in response.content.decode()
