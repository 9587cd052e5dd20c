"""The public sign-up form: allauth's, safe against two sign-ups with one address at once."""

from __future__ import annotations

from allauth.account.forms import SignupForm as AllauthSignupForm
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.http import HttpRequest


class SignupForm(AllauthSignupForm):
    def try_save(self, request: HttpRequest):
        try:
            with transaction.atomic():
                return super().try_save(request)
        except IntegrityError:
            # Another sign-up with this address was saved between this form's uniqueness check
            # and its own save (a double click, a script). The address is taken now: answer as
            # allauth answers any sign-up with a known address. With enumeration prevention
            # that is the same "please confirm your e-mail" page, and the owner gets a mail.
            if not get_user_model().objects.filter(email__iexact=self.cleaned_data.get("email", "")).exists():
                raise
            self.account_already_exists = True
            return super().try_save(request)
