"""Forms of the shared app: a user's own e-mail settings."""

from django import forms
from django.utils.translation import gettext_lazy as _

from bridges.models import User


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
