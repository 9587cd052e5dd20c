"""Text written into a record that everyone reads — a default, a reason, a name — in the portal's
working language (settings.LANGUAGE_CODE), not in that of whoever's request or task wrote it."""

from django.conf import settings
from django.utils import translation


def in_working_language(text) -> str:
    """`text` (a lazily translated string) as stored: translated into the working language."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(text)
