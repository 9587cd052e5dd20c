"""The funder's report's filter form (GET): the period, whose candidates, their origin and where
the positions are. A valid form gives `matching.report_scope.ReportFilters`."""

from __future__ import annotations

import datetime

from dateutil.relativedelta import relativedelta
from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from bridges.forms import PersonChoiceField
from bridges.models import Region
from candidates.models import Candidate
from matching.introduction_queries import case_workers
from matching.report_scope import ReportFilters, Where

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# The longest period the report covers: its monthly chart and queries stay readable and fast.
MAX_YEARS = 5


def default_period(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """1 January of the current year to today."""
    today = today or timezone.localdate()
    return today.replace(month=1, day=1), today


class _RegionChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name} ({obj.country.name})"


class ReportFilterForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=DATE)
    end = forms.DateField(label=_("To (inclusive)"), widget=DATE)
    case_worker = PersonChoiceField(label=_("Case worker"), queryset=case_workers(), required=False)
    origin_country = forms.ChoiceField(label=_("Country of origin"), choices=[], required=False)
    origin_region = _RegionChoice(label=_("Region of origin"), queryset=Region.objects.none(), required=False)
    where = forms.TypedChoiceField(label=_("Place of work"), choices=Where.choices, required=False, empty_value="")

    def __init__(self, data: QueryDict | None = None, *, today: datetime.date | None = None, **kwargs) -> None:
        start, end = default_period(today)
        # Always bound: an empty query string is the default period.
        data = data.copy() if data is not None else QueryDict(mutable=True)
        for name, value in (("start", start), ("end", end)):
            if not data.get(name):
                data[name] = value.isoformat()
        super().__init__(data, **kwargs)
        self.fields["case_worker"].queryset = case_workers()
        present = Candidate.objects.exclude(country_of_origin="").values_list("country_of_origin", flat=True)
        codes = set(present.distinct().order_by())
        self.fields["origin_country"].choices = [
            ("", _("all countries")),
            *sorted(((code, countries.name(code) or code) for code in codes), key=lambda choice: choice[1]),
        ]
        self.fields["origin_region"].queryset = Region.objects.filter(
            pk__in=Candidate.objects.filter(region_of_origin__isnull=False).values("region_of_origin")
        ).order_by("country", "name_en")
        self.fields["case_worker"].empty_label = _("all case workers")
        self.fields["origin_region"].empty_label = _("all regions")

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if end < start:
                self.add_error("end", _("The end of the period must not lie before its start."))
            elif end > start + relativedelta(years=MAX_YEARS):
                self.add_error("end", _("The period may cover at most %(years)s years.") % {"years": MAX_YEARS})
        return cleaned

    def filters(self) -> ReportFilters:
        """The report's filters; only for a valid form."""
        data = self.cleaned_data
        return ReportFilters(
            start=data["start"],
            end=data["end"],
            case_worker_id=data["case_worker"].pk if data["case_worker"] else None,
            origin_country=data["origin_country"] or "",
            origin_region_id=data["origin_region"].pk if data["origin_region"] else None,
            where=data["where"] or Where.ANY,
        )

    def described(self) -> list[tuple[str, str]]:
        """The chosen filters as (label, value) pairs a person reads; only for a valid form."""
        data = self.cleaned_data
        country = dict(self.fields["origin_country"].choices).get(data["origin_country"])
        region = data["origin_region"]
        case_worker = data["case_worker"]
        return [
            (str(_("Case worker")), self.fields["case_worker"].label_from_instance(case_worker) if case_worker else ""),
            (str(_("Country of origin")), str(country) if data["origin_country"] else ""),
            (str(_("Region of origin")), self.fields["origin_region"].label_from_instance(region) if region else ""),
            (str(_("Place of work")), str(Where(data["where"] or Where.ANY).label)),
        ]
