"""Forms of the shared app: a user's own e-mail settings, and putting a service's errors on a form."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from bridges.models import User


def add_service_error(form: forms.BaseForm, error: ValidationError, aliases: dict[str, str] | None = None) -> None:
    """A service's ValidationError as form errors: a field's where the service names a field of
    the form (directly or through `aliases`), else a non-field error."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            field = (aliases or {}).get(field, field)
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class PersonChoiceField(forms.ModelChoiceField):
    """A choice of users shown by name (`User.display_name`), not by e-mail address."""

    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


def person_choices(users: QuerySet[User]) -> list[tuple[str, str]]:
    """(id, name) of the users in the queryset's order, for a filter's plain choice: read as values,
    not as a model each; named as `PersonChoiceField` names them."""
    return [
        (str(pk), User.name_of(*names)) for pk, *names in users.values_list("pk", "first_name", "last_name", "email")
    ]


class NotificationSettingsForm(forms.ModelForm):
    """The language of a user's e-mails and, for those who have candidates, the daily digest."""

    class Meta:
        model = User
        fields = ["language", "digest_enabled"]
        labels = {
            "language": _("Language of your e-mails"),
            "digest_enabled": _("Send me the daily digest"),
        }
        help_texts = {
            "language": "",
            "digest_enabled": _(
                "Every morning an e-mail with new strong matches for your candidates; none on days without any."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.works_cases:
            # Only case workers (and admins) have candidates, so only they get a digest.
            del self.fields["digest_enabled"]


class ApiTokenForm(forms.Form):
    """A new personal API token: what it is for and how long it works."""

    name = forms.CharField(
        label=_("What is the token for?"),
        max_length=100,
        help_text=_("For example the name of the system that uses it, so that you recognise it later."),
    )
    days = forms.TypedChoiceField(
        label=_("Valid for"),
        coerce=int,
        choices=[(30, _("30 days")), (90, _("90 days")), (365, _("one year"))],
        initial=90,
    )
