"""Consents to share named their employer as free text. Where the text names exactly one
organisation (case and surrounding spaces aside), the consent now points to it; the rest keep
their text and are flagged for a case worker, and share nothing until a new consent is given."""

from django.db import migrations
from django.db.models.functions import Lower, Trim


def link(apps, schema_editor):
    Consent = apps.get_model("candidates", "Consent")
    Employer = apps.get_model("employers", "Employer")
    by_name: dict[str, list[int]] = {}
    for pk, name in Employer.objects.annotate(key=Lower(Trim("name"))).values_list("pk", "key"):
        by_name.setdefault(" ".join(name.split()), []).append(pk)
    for consent in Consent.objects.filter(purpose="sharing", employer__isnull=True):
        matches = by_name.get(" ".join(consent.recipient.lower().split()), [])
        if len(matches) == 1:
            consent.employer_id = matches[0]
            consent.needs_review = False
        else:
            consent.needs_review = True
        consent.save(update_fields=["employer", "needs_review"])


class Migration(migrations.Migration):
    dependencies = [
        ("candidates", "0003_consent_for_an_employer"),
        ("employers", "0002_verbose_names"),
    ]

    operations = [migrations.RunPython(link, migrations.RunPython.noop)]
