"""The API's positions: the public job board (anyone, read) and the positions a user manages
(employers their own organisation's, read and write; case workers and admins all). Writes go
through the UI's own form and service (`PositionForm`, `position_save`, `position_set_status`):
the same checks, the same audit entries, the same re-scoring mark. Another organisation's
position is a 404, as on the pages."""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from bridges.api.errors import form_errors, service_error
from bridges.models import CEFRLevel, Language
from employers import selectors, services
from employers.forms import LanguageRequirementFormSet, PositionForm
from employers.models import Employer, Position, PositionSkill

# --- reading -------------------------------------------------------------------------------------


class LanguageRequirementSerializer(serializers.Serializer):
    language = serializers.CharField(help_text="ISO 639 code of the language, e.g. “de”.")
    min_level = serializers.ChoiceField(choices=CEFRLevel.choices, help_text="1 = A1 … 6 = C2.")
    required = serializers.BooleanField(default=True)


def _languages(position: Position) -> list[dict]:
    return [
        {"language": r.language.code, "min_level": r.min_level, "required": r.required}
        for r in position.language_requirements.all()
    ]


class JobSerializer(serializers.ModelSerializer):
    """A position as the public job board shows it."""

    employer = serializers.CharField(source="employer.name", read_only=True)
    occupation_label = serializers.CharField(source="occupation.label", read_only=True)
    town = serializers.CharField(source="place.name", default=None, allow_null=True, read_only=True)
    country = serializers.CharField(
        source="country.code", read_only=True, help_text="ISO 3166 code of a position abroad; empty in Germany."
    )
    languages = serializers.SerializerMethodField()

    class Meta:
        model = Position
        fields = [
            "id",
            "title",
            "description",
            "employer",
            "occupation",
            "occupation_label",
            "position_type",
            "location",
            "postal_code",
            "town",
            "country",
            "working_time",
            "hours_per_week",
            "fixed_term",
            "start_date",
            "openings",
            "salary_min",
            "salary_max",
            "requires_work_permission",
            "driving_licence",
            "provides_training",
            "provides_language_support",
            "suitable_for_career_changers",
            "expires_on",
            "languages",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(LanguageRequirementSerializer(many=True))
    def get_languages(self, position: Position) -> list[dict]:
        return _languages(position)


class PositionSerializer(JobSerializer):
    """A position as its organisation (and the case workers) see it."""

    essential_skills = serializers.SerializerMethodField()
    optional_skills = serializers.SerializerMethodField()

    class Meta(JobSerializer.Meta):
        fields = [*JobSerializer.Meta.fields, "status", "place", "region", "essential_skills", "optional_skills"]
        fields.append("updated_at")
        read_only_fields = fields

    def _skills(self, position: Position, relation: str) -> list[int]:
        return [r.skill_id for r in position.skill_requirements.all() if r.relation_type == relation]

    def get_essential_skills(self, position: Position) -> list[int]:
        return self._skills(position, "essential")

    def get_optional_skills(self, position: Position) -> list[int]:
        return self._skills(position, "optional")


# --- writing -------------------------------------------------------------------------------------


class PositionWriteSerializer(serializers.Serializer):
    """What a client sends to make or change a position: the fields of the position form, skills as
    ESCO skill ids, languages as a list (replacing the position's). Checked by the form itself."""

    title = serializers.CharField(max_length=200)
    description = serializers.CharField()
    occupation = serializers.IntegerField(help_text="Id of the occupation (GET /taxonomy/occupations/?q=…).")
    position_type = serializers.ChoiceField(choices=Position.PositionType.choices)
    location = serializers.ChoiceField(choices=Position.Location.choices)
    postal_code = serializers.CharField(required=False, allow_blank=True, max_length=5)
    place = serializers.IntegerField(required=False, allow_null=True, help_text="Id of the town (in Germany).")
    country = serializers.CharField(required=False, allow_blank=True, help_text="ISO 3166 code (abroad).")
    region = serializers.IntegerField(required=False, allow_null=True)
    working_time = serializers.ChoiceField(choices=Position.WorkingTime.choices, required=False)
    hours_per_week = serializers.IntegerField(required=False, allow_null=True)
    fixed_term = serializers.BooleanField(required=False)
    start_date = serializers.DateField(required=False, allow_null=True)
    openings = serializers.IntegerField(required=False)
    salary_min = serializers.IntegerField(required=False, allow_null=True)
    salary_max = serializers.IntegerField(required=False, allow_null=True)
    requires_work_permission = serializers.BooleanField(required=False, allow_null=True)
    driving_licence = serializers.CharField(required=False, allow_blank=True)
    provides_training = serializers.BooleanField(required=False)
    provides_language_support = serializers.BooleanField(required=False)
    suitable_for_career_changers = serializers.BooleanField(required=False)
    expires_on = serializers.DateField(required=False, allow_null=True)
    essential_skills = serializers.ListField(child=serializers.IntegerField(), required=False)
    optional_skills = serializers.ListField(child=serializers.IntegerField(), required=False)
    languages = LanguageRequirementSerializer(many=True, required=False)


class StatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Position.Status.choices)


def _form_data(data: dict, position: Position) -> QueryDict:
    """The request as the position form and its language formset read a POST."""
    form = QueryDict(mutable=True)
    for name, value in data.items():
        if name in ("essential_skills", "optional_skills", "languages"):
            continue
        if name == "requires_work_permission":
            value = "" if value is None else ("yes" if value else "no")
        elif isinstance(value, bool):
            value = "on" if value else ""
        form[name] = "" if value is None else str(value)
    for name in ("essential_skills", "optional_skills"):
        form.setlist(name, [str(pk) for pk in data.get(name, [])])
    existing = list(position.language_requirements.order_by("pk")) if position.pk else []
    rows = data.get("languages")
    if rows is None:  # not sent: the position keeps its languages
        rows = [{"language": r.language.code, "min_level": r.min_level, "required": r.required} for r in existing]
    prefix = "languages"
    for index, old in enumerate(existing):
        form[f"{prefix}-{index}-id"] = str(old.pk)
        form[f"{prefix}-{index}-DELETE"] = "on"
    codes = dict(Language.objects.filter(code__in=[row["language"] for row in rows]).values_list("code", "pk"))
    for offset, row in enumerate(rows):
        index = len(existing) + offset
        form[f"{prefix}-{index}-language"] = str(codes.get(row["language"], row["language"]))
        form[f"{prefix}-{index}-min_level"] = str(row["min_level"])
        form[f"{prefix}-{index}-required"] = "on" if row.get("required", True) else ""
    form[f"{prefix}-TOTAL_FORMS"] = str(len(existing) + len(rows))
    form[f"{prefix}-INITIAL_FORMS"] = str(len(existing))
    form[f"{prefix}-MIN_NUM_FORMS"] = "0"
    form[f"{prefix}-MAX_NUM_FORMS"] = "1000"
    return form


def _errors(form, languages) -> dict:
    errors = form_errors(form.errors)
    language_errors = [form_errors(row) for row in languages.errors if row]
    if language_errors or languages.non_form_errors():
        errors["languages"] = language_errors + [str(m) for m in languages.non_form_errors()]
    return errors


def save_position(*, position: Position, data: dict, actor) -> Position:
    """Check `data` with the position form and save it through the service; ValidationError with
    the form's messages (by field) when it is not valid."""
    data = {**_current(position), **data} if position.pk else data
    bound = _form_data(data, position)
    form = PositionForm(bound, instance=position)
    languages = LanguageRequirementFormSet(bound, instance=position, prefix="languages")
    if not (form.is_valid() & languages.is_valid()):
        raise serializers.ValidationError(_errors(form, languages))
    position = form.save(commit=False)
    try:
        return services.position_save(position=position, actor=actor, skills=form.skills(), formsets=[languages])
    except DjangoValidationError as error:
        raise service_error(error) from error


def _current(position: Position) -> dict:
    """The position's current values in the write format (a PATCH changes only what it sends)."""
    current = {
        name: getattr(position, f"{name}_id" if name in ("occupation", "place", "region") else name)
        for name in PositionWriteSerializer().fields
        if name not in ("essential_skills", "optional_skills", "languages")
    }
    requirements = list(position.skill_requirements.all())
    current["essential_skills"] = [r.skill_id for r in requirements if r.relation_type == "essential"]
    current["optional_skills"] = [r.skill_id for r in requirements if r.relation_type == "optional"]
    return current


# --- filters and views ---------------------------------------------------------------------------


class JobFilter(django_filters.FilterSet):
    class Meta:
        model = Position
        fields = ["occupation", "position_type", "location", "country"]


class PositionFilter(django_filters.FilterSet):
    class Meta:
        model = Position
        fields = ["status", "occupation", "position_type", "location", "country"]


@extend_schema_view(
    list=extend_schema(summary="Open positions on the public job board"),
    retrieve=extend_schema(summary="One open position"),
)
class JobViewSet(viewsets.ReadOnlyModelViewSet):
    """The public job board: open positions of approved employers, for anyone."""

    serializer_class = JobSerializer
    permission_classes = [permissions.AllowAny]
    filterset_class = JobFilter
    ordering_fields = ["created_at", "start_date", "title"]

    def get_queryset(self):
        return selectors.public_positions()


@extend_schema_view(
    list=extend_schema(summary="The positions you manage"),
    retrieve=extend_schema(summary="One of your positions"),
    create=extend_schema(summary="Make a position (a draft)", request=PositionWriteSerializer),
    partial_update=extend_schema(summary="Change a position", request=PositionWriteSerializer),
)
class PositionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Employers: their organisation's positions; case workers and admins: every position."""

    queryset = Position.objects.none()  # for the schema; requests get `get_queryset()`
    serializer_class = PositionSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_class = PositionFilter
    ordering_fields = ["created_at", "updated_at", "title", "start_date"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return (
            selectors.positions_visible_to(user=self.request.user)
            .prefetch_related(Prefetch("skill_requirements", queryset=PositionSkill.objects.order_by("pk")))
            .order_by("-created_at", "pk")
        )

    def _employer(self) -> Employer:
        employer = selectors.employer_for_user(user=self.request.user) if self.request.user.is_employer else None
        if employer is None:
            raise PermissionDenied(_("Only the users of a registered employer make positions here."))
        return employer

    def create(self, request, *args, **kwargs):
        payload = PositionWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        position = save_position(
            position=Position(employer=self._employer()), data=payload.validated_data, actor=request.user
        )
        return Response(
            self.get_serializer(self.get_queryset().get(pk=position.pk)).data, status=status.HTTP_201_CREATED
        )

    def partial_update(self, request, *args, **kwargs):
        position = self.get_object()
        payload = PositionWriteSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        save_position(position=position, data=payload.validated_data, actor=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=position.pk)).data)

    @extend_schema(request=StatusSerializer, responses=PositionSerializer, summary="Open, pause, fill or close")
    @action(detail=True, methods=["post"])
    def status(self, request, pk=None):
        position = self.get_object()
        payload = StatusSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            services.position_set_status(position=position, status=payload.validated_data["status"], actor=request.user)
        except DjangoValidationError as error:
            raise service_error(error) from error
        return Response(self.get_serializer(self.get_queryset().get(pk=position.pk)).data)


# --- the organisation ----------------------------------------------------------------------------


class EmployerSerializer(serializers.ModelSerializer):
    town = serializers.CharField(source="place.name", read_only=True)
    regions_of_engagement = serializers.SerializerMethodField()

    class Meta:
        model = Employer
        fields = [
            "id",
            "name",
            "legal_form",
            "sector",
            "size",
            "street",
            "postal_code",
            "town",
            "website",
            "description",
            "offers_training",
            "offers_language_courses",
            "verification",
            "regions_of_engagement",
            "created_at",
            "updated_at",
        ]
        # Not `read_only_fields`: a read-only field loses `allow_blank`, and the schema then leaves
        # the empty choice out of its enum (the resource is read-only anyway).

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_regions_of_engagement(self, employer: Employer) -> list[dict]:
        return [
            {"country": region.country.code, "region": region.region_id} for region in employer.engagement_regions.all()
        ]


@extend_schema_view(
    list=extend_schema(summary="Your organisation (employers); every employer (case workers and admins)"),
    retrieve=extend_schema(summary="One organisation"),
)
class EmployerViewSet(viewsets.ReadOnlyModelViewSet):
    """Employers see their own organisation, case workers and admins every one; another
    organisation is a 404 to an employer."""

    queryset = Employer.objects.none()  # for the schema
    serializer_class = EmployerSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_fields = ["verification", "sector"]
    ordering_fields = ["name", "created_at"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return (
            selectors.employers_visible_to(user=self.request.user)
            .prefetch_related("engagement_regions")
            .order_by("name", "pk")
        )
