from django import forms
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.utils.translation import gettext_lazy as _

from candidates.portal import CODE_LENGTH, code_normalise


class WelcomeForm(forms.Form):
    """Accepting an invitation: the code (unless the link carried it) and a password, twice."""

    code = forms.CharField(
        label=_("Your code"),
        max_length=40,
        help_text=_("The 16 letters and digits from your case worker, for example ABCD-EFGH-JKLM-NPQR."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "characters", "dir": "ltr"}),
    )
    password1 = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "dir": "ltr"}),
        help_text=password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("The password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "dir": "ltr"}),
    )

    def __init__(self, *args, code_known: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if code_known:
            del self.fields["code"]

    def clean_code(self) -> str:
        code = code_normalise(self.cleaned_data["code"])
        if len(code) != CODE_LENGTH:
            raise forms.ValidationError(_("The code has 16 letters and digits."), code="length")
        return code

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", _("The two passwords are not the same."))
        return data


class CorrectionForm(forms.Form):
    text = forms.CharField(
        label=_("What is not correct?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Your case worker reads this and changes the profile."),
    )


class ErasureRequestForm(forms.Form):
    text = forms.CharField(
        label=_("Message to your case worker (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
