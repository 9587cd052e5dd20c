"""Logging in through the portal's form in the test client, as a person does: e-mail address and
password, then (staff, and whoever set it up) the code of the authenticator app."""

from django.urls import reverse

from bridges.models import User
from tests.factories import DEFAULT_PASSWORD, totp_code


def login(client, email: str, password: str = DEFAULT_PASSWORD, **extra):
    """Post the login form; where the second factor is asked for, answer it with the app's code.
    Returns the last response (a redirect to the start page when it worked)."""
    response = client.post(reverse("account_login"), {"login": email, "password": password}, **extra)
    if response.status_code == 302 and response.url == reverse("mfa_authenticate"):
        response = client.post(response.url, {"code": totp_code(User.objects.get(email=email))}, **extra)
    return response


def token_client(user, name: str = "ATS"):
    """A client that sends a new API token of `user` with every request, as another system does."""
    from django.test import Client

    from bridges.api_tokens import api_token_create

    _token, text = api_token_create(user=user, name=name, days=30)
    return Client(HTTP_AUTHORIZATION=f"Bearer {text}")
