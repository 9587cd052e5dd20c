"""allauth hooks of the employers app: a colleague who signs up through an invitation
joins the inviting organisation at once."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest

from bridges.adapters import AccountAdapter
from employers import selectors, services

logger = logging.getLogger(__name__)

# Session key under which `views.invitation_accept` keeps the token of an invitation
# that an anonymous visitor followed, until they have signed up.
INVITATION_SESSION_KEY = "employers_invitation"


class EmployerAccountAdapter(AccountAdapter):
    def save_user(self, request: HttpRequest, user, form, commit: bool = True):
        user = super().save_user(request, user, form, commit=commit)
        stashed = request.session.get("account_verified_email")
        if stashed and stashed.lower() != (user.email or "").lower():
            # allauth would add the invited address to this account as verified and make
            # it the primary one; whoever signs up under another address verifies that one.
            self.unstash_verified_email(request)
        if commit:
            self._accept_invitation(request, user)
        return user

    def _accept_invitation(self, request: HttpRequest, user) -> None:
        token = request.session.pop(INVITATION_SESSION_KEY, None)
        if not token:
            return
        try:
            invitation = selectors.invitation_get_by_token(token=token)
        except Http404:
            return
        # Someone may follow a colleague's link and sign up with their own address:
        # they get an account, but not the colleague's organisation.
        if invitation.email.lower() != user.email.lower():
            return
        try:
            services.invitation_accept(invitation=invitation, user=user)
        except ValidationError as error:
            # The account stands; the user can still register a company or ask for a new invitation.
            logger.info("Invitation %s not accepted at sign-up: %s", invitation.pk, error.messages)
