"""The API's introductions (Vermittlungsvorschläge) and their stage changes.

Case workers and admins list, read and make every introduction. An employer user lists and reads
the introductions to their own organisation's positions (another organisation's is a 404) and sees,
while one is open and the candidate's consent to share with the organisation stands, the name and
exactly the parts of the profile the case worker chose to share; otherwise the anonymous reference
the pages show. Each read of a shared profile is recorded in the audit trail, as on the page.

Writes go through the UI's own form and services: `IntroduceForm` and `introduction_create` (consent,
an open position, the matching rules, one open introduction per pair), `introduction_move` (the
pipeline's table: who may make which move, with which reason; an event, an audit entry and the
notifications). Internal fields (next step, ranks, case worker, comments) never reach an employer.
"""

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
from bridges.models import AuditEvent
from bridges.services import audit_log
from candidates.models import Candidate, Document
from employers.models import Position
from matching import employer_introduction_selectors as employer_selectors
from matching import pipeline
from matching.forms_introductions import IntroduceForm
from matching.introduction_selectors import employer_may_see_profile, introductions_for_user, shared_candidate
from matching.introductions import actor_side, introduction_move
from matching.models import Introduction, SharedSection
from matching.pipeline import Reason, Stage

# --- the shared profile --------------------------------------------------------------------------


class _Language(serializers.Serializer):
    language = serializers.CharField(help_text="ISO 639 code.")
    level = serializers.IntegerField(help_text="1 = A1 … 6 = C2, 7 = native.")


class _Education(serializers.Serializer):
    degree_level = serializers.CharField()
    field = serializers.CharField()
    institution = serializers.CharField()
    country = serializers.CharField(help_text="ISO 3166 code; empty when unknown.")
    year_completed = serializers.IntegerField(allow_null=True)
    recognition = serializers.CharField()


class _Experience(serializers.Serializer):
    job_title = serializers.CharField()
    occupation = serializers.CharField(allow_null=True, help_text="The ESCO occupation's label.")
    employer_name = serializers.CharField()
    country = serializers.CharField()
    start_date = serializers.DateField(allow_null=True)
    end_date = serializers.DateField(allow_null=True)


class _SharedDocument(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    title = serializers.CharField()


class SharedProfileSerializer(serializers.Serializer):
    """The candidate as the employer may see them: the name, and each key only when its section is
    shared (contact, birth, permission, languages, education, experience, skills, mobility,
    perspective)."""

    name = serializers.CharField()
    email = serializers.CharField(required=False)
    phone = serializers.CharField(required=False)
    street = serializers.CharField(required=False)
    postal_code = serializers.CharField(required=False)
    town = serializers.CharField(required=False, allow_null=True)
    date_of_birth = serializers.DateField(required=False)
    residence_status = serializers.CharField(required=False)
    residence_valid_until = serializers.DateField(required=False, allow_null=True)
    work_permission = serializers.CharField(required=False)
    work_permission_valid_until = serializers.DateField(required=False, allow_null=True)
    languages = _Language(many=True, required=False)
    education = _Education(many=True, required=False)
    experience = _Experience(many=True, required=False)
    desired_occupations = serializers.ListField(child=serializers.CharField(), required=False)
    skills = serializers.ListField(child=serializers.CharField(), required=False)
    available_from = serializers.DateField(required=False, allow_null=True)
    desired_working_time = serializers.CharField(required=False)
    driving_licences = serializers.ListField(child=serializers.CharField(), required=False)
    max_commute_km = serializers.IntegerField(required=False, allow_null=True)
    willing_to_relocate = serializers.BooleanField(required=False)
    relocation_regions = serializers.ListField(child=serializers.CharField(), required=False)
    perspective = serializers.CharField(required=False)
    return_country = serializers.CharField(required=False)
    return_region = serializers.CharField(required=False, allow_null=True)
    documents = _SharedDocument(many=True)

    def to_representation(self, instance: dict) -> dict:
        # DRF writes a missing nullable field as null; a section not shared has no keys at all.
        return {key: value for key, value in super().to_representation(instance).items() if key in instance}


def shared_profile(introduction: Introduction) -> dict:
    """What the shared profile page shows, as data: the name and the chosen sections only."""
    candidate = shared_candidate(introduction)
    sections = set(introduction.shared_sections)
    profile: dict = {"name": candidate.full_name}
    if SharedSection.CONTACT in sections:
        profile.update(
            email=candidate.email,
            phone=candidate.phone,
            street=candidate.street,
            postal_code=candidate.postal_code,
            town=candidate.place.name if candidate.place else None,
        )
    if SharedSection.BIRTH in sections:
        profile["date_of_birth"] = candidate.date_of_birth
    if SharedSection.PERMISSION in sections:
        profile.update(
            residence_status=candidate.residence_status,
            residence_valid_until=candidate.residence_valid_until,
            work_permission=candidate.work_permission,
            work_permission_valid_until=candidate.work_permission_valid_until,
        )
    if SharedSection.LANGUAGES in sections:
        profile["languages"] = [
            {"language": row.language.code, "level": row.level} for row in candidate.languages.all()
        ]
    if SharedSection.EDUCATION in sections:
        profile["education"] = [
            {
                "degree_level": row.degree_level,
                "field": row.field,
                "institution": row.institution,
                "country": row.country.code or "",
                "year_completed": row.year_completed,
                "recognition": row.recognition,
            }
            for row in candidate.education.all()
        ]
    if SharedSection.EXPERIENCE in sections:
        profile["experience"] = [
            {
                "job_title": row.job_title,
                "occupation": row.occupation.label if row.occupation else None,
                "employer_name": row.employer_name,
                "country": row.country.code or "",
                "start_date": row.start_date,
                "end_date": row.end_date,
            }
            for row in candidate.experience.all()
        ]
    if SharedSection.SKILLS in sections:
        profile["desired_occupations"] = [occupation.label for occupation in candidate.desired_occupations.all()]
        profile["skills"] = [skill.label for skill in candidate.skills.all()]
    if SharedSection.MOBILITY in sections:
        profile.update(
            available_from=candidate.available_from,
            desired_working_time=candidate.desired_working_time,
            driving_licences=list(candidate.driving_licences),
            max_commute_km=candidate.max_commute_km,
            willing_to_relocate=candidate.willing_to_relocate,
            relocation_regions=[region.name for region in candidate.relocation_regions.all()],
        )
    if SharedSection.PERSPECTIVE in sections:
        profile.update(
            perspective=candidate.perspective,
            return_country=candidate.return_country.code or "",
            return_region=candidate.return_region.name if candidate.return_region else None,
        )
    profile["documents"] = [
        {"id": doc.pk, "kind": doc.kind, "title": doc.title or doc.original_name}
        for doc in introduction.shared_documents.order_by("kind", "title", "pk")
    ]
    return SharedProfileSerializer(profile).data


# --- reading -------------------------------------------------------------------------------------

STAFF_ONLY = (
    "candidate",
    "case_worker",
    "next_step",
    "next_step_due",
    "score",
    "rank_for_position",
    "rank_for_candidate",
    "created_by",
)


class IntroductionSerializer(serializers.ModelSerializer):
    """One introduction. The fields marked "staff only" are null for an employer; `name` is the
    candidate's name where the reader may see it, `reference` the anonymous one an employer sees
    otherwise; `profile` is the shared profile, in an employer's read of one introduction."""

    candidate = serializers.IntegerField(source="candidate_id", allow_null=True, help_text="Staff only.")
    name = serializers.SerializerMethodField()
    reference = serializers.SerializerMethodField()
    shared_documents = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    case_worker = serializers.EmailField(
        source="case_worker.email", default=None, allow_null=True, help_text="Staff only."
    )
    created_by = serializers.EmailField(
        source="created_by.email", default=None, allow_null=True, help_text="Staff only."
    )
    next_step = serializers.CharField(allow_null=True, help_text="Staff only.")
    next_step_due = serializers.DateField(allow_null=True, help_text="Staff only.")
    score = serializers.FloatField(allow_null=True, help_text="Staff only: the match's score when introduced.")
    rank_for_position = serializers.IntegerField(allow_null=True, help_text="Staff only.")
    rank_for_candidate = serializers.IntegerField(allow_null=True, help_text="Staff only.")
    moves = serializers.SerializerMethodField(help_text="The stages you may move it to now (POST …/move/).")
    profile = serializers.SerializerMethodField()

    class Meta:
        model = Introduction
        fields = [
            "id",
            "candidate",
            "name",
            "reference",
            "position",
            "stage",
            "reached_stage",
            "close_reason",
            "closed_at",
            "shared_sections",
            "shared_documents",
            "message",
            "case_worker",
            "created_by",
            "next_step",
            "next_step_due",
            "score",
            "rank_for_position",
            "rank_for_candidate",
            "moves",
            "profile",
            "created_at",
            "updated_at",
        ]
        # Not `read_only_fields`: a read-only field loses `allow_blank`, and the schema then leaves
        # the empty choice out of its enum (writes have their own serializers).

    def _side(self) -> str:
        return self.context["side"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_name(self, introduction: Introduction) -> str | None:
        if self._side() == pipeline.STAFF or introduction.shared:
            return introduction.candidate.full_name
        return None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_reference(self, introduction: Introduction) -> str | None:
        return introduction.reference or None

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=Stage.choices)))
    def get_moves(self, introduction: Introduction) -> list[str]:
        side = self._side()
        if side == pipeline.EMPLOYER and not introduction.shared:
            return []
        return [to for to in pipeline.allowed(introduction.stage, actor=side) if to != Stage.PLACED]

    @extend_schema_field(SharedProfileSerializer(allow_null=True))
    def get_profile(self, introduction: Introduction) -> dict | None:
        return getattr(introduction, "profile", None)

    def to_representation(self, introduction: Introduction) -> dict:
        data = super().to_representation(introduction)
        if self._side() == pipeline.EMPLOYER:
            data.update(dict.fromkeys(STAFF_ONLY))
            if not introduction.shared:
                data["shared_documents"] = []
        return data


def label(introductions, side: str) -> None:
    """Set `shared` and `reference` on each row (an employer's rows: one query for the page)."""
    if side == pipeline.EMPLOYER:
        employer_selectors.label_rows(introductions)
        return
    for introduction in introductions:
        introduction.shared, introduction.reference = True, ""


class IntroductionFilter(django_filters.FilterSet):
    stage = django_filters.ChoiceFilter(choices=pipeline.STAGE_FILTER_CHOICES, method="filter_stage")

    candidate = django_filters.NumberFilter(method="filter_candidate", help_text="Case workers and admins only.")

    class Meta:
        model = Introduction
        fields = ["stage", "position", "candidate"]

    def filter_candidate(self, queryset, name: str, value):
        # An employer asking by candidate id could learn who is behind an anonymous reference.
        if not self.request.user.works_cases:
            raise PermissionDenied(_("Only case workers and admins filter introductions by candidate."))
        return queryset.filter(candidate_id=value)

    def filter_stage(self, queryset, name: str, value: str):
        return queryset.filter(stage__in=pipeline.stages_of(value))


class WorksOnIntroductions(permissions.BasePermission):
    """Case workers, admins and employer users; creating is for case workers and admins."""

    message = _("Only case workers, admins and employers work with introductions.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated and (user.works_cases or user.is_employer)):
            return False
        if view.action == "create" and not user.works_cases:
            self.message = _("Only case workers and admins introduce candidates.")
            return False
        return True


# --- writing -------------------------------------------------------------------------------------


class IntroduceSerializer(serializers.Serializer):
    """What a case worker sends to introduce a candidate to an open position. Checked by the
    introduction form and the service: the candidate's consent to share with the organisation,
    an open position, the matching rules, no open introduction of the pair."""

    candidate = serializers.IntegerField()
    position = serializers.IntegerField()
    shared_sections = serializers.ListField(
        child=serializers.ChoiceField(choices=SharedSection.choices), required=False, default=list
    )
    shared_documents = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    message = serializers.CharField(required=False, allow_blank=True, default="")
    next_step = serializers.CharField(required=False, allow_blank=True, default="")
    next_step_due = serializers.DateField(required=False, allow_null=True, default=None)
    case_worker = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="The responsible case worker's user id."
    )


class MoveSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=[(s, label) for s, label in Stage.choices if s != Stage.PLACED])
    reason = serializers.ChoiceField(
        choices=Reason.choices, required=False, allow_blank=True, default="", help_text="Needed for a closing stage."
    )
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


def _introduce_form(data: dict, candidate: Candidate, actor) -> IntroduceForm:
    form = QueryDict(mutable=True)
    form.setlist("sections", data["shared_sections"])
    form.setlist("documents", [str(pk) for pk in data["shared_documents"]])
    for name in ("message", "next_step"):
        form[name] = data[name]
    form["next_step_due"] = data["next_step_due"].isoformat() if data["next_step_due"] else ""
    form["case_worker"] = str(data["case_worker"] or "")
    return IntroduceForm(form, candidate=candidate, actor=actor)


# --- the views -----------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Introductions (case workers: all; employers: to their own positions)"),
    retrieve=extend_schema(summary="One introduction; an employer gets the shared profile (audited)"),
    create=extend_schema(
        summary="Introduce a candidate to an open position (case workers and admins)",
        request=IntroduceSerializer,
        responses={201: IntroductionSerializer},
    ),
)
class IntroductionViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    queryset = Introduction.objects.none()  # for the schema
    serializer_class = IntroductionSerializer
    permission_classes = [WorksOnIntroductions]
    filterset_class = IntroductionFilter
    ordering_fields = ["created_at", "updated_at"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return (
            introductions_for_user(user=self.request.user)
            .select_related("created_by")
            .prefetch_related(Prefetch("shared_documents", queryset=Document.objects.only("pk")))
            .order_by("-created_at", "-pk")
        )

    def get_serializer_context(self) -> dict:
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False):
            context["side"] = actor_side(self.request.user)
        return context

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        label(page, actor_side(request.user))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        introduction = self.get_object()
        side = actor_side(request.user)
        label([introduction], side)
        if side == pipeline.EMPLOYER and employer_may_see_profile(introduction):
            introduction.profile = shared_profile(introduction)
            audit_log(
                actor=request.user,
                action=AuditEvent.Action.VIEW,
                target=introduction.candidate,
                summary=_("shared profile seen by the employer (API): introduction to %(position)s"),
                params={"position": introduction.position.title},
            )
        return Response(self.get_serializer(introduction).data)

    def _answer(self, introduction: Introduction, *, code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=introduction.pk)
        label([fresh], actor_side(self.request.user))
        return Response(self.get_serializer(fresh).data, status=code)

    def create(self, request, *args, **kwargs):
        payload = IntroduceSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        candidate = Candidate.objects.filter(pk=data["candidate"], erased_at__isnull=True).first()
        position = Position.objects.select_related("employer").filter(pk=data["position"]).first()
        errors = {}
        if candidate is None:
            errors["candidate"] = [_("No candidate has this id.")]
        if position is None:
            errors["position"] = [_("No position has this id.")]
        if errors:
            raise serializers.ValidationError(errors)
        form = _introduce_form(data, candidate, request.user)
        if not form.is_valid():
            names = {"sections": "shared_sections", "documents": "shared_documents"}
            raise serializers.ValidationError(
                {names.get(name, name): messages for name, messages in form_errors(form.errors).items()}
            )
        try:
            introduction = form.introduce(candidate=candidate, position=position, actor=request.user)
        except DjangoValidationError as error:
            raise service_error(error) from error
        return self._answer(introduction, code=status.HTTP_201_CREATED)

    @extend_schema(
        request=MoveSerializer,
        responses=IntroductionSerializer,
        summary="Move to another stage (as the pipeline's table allows you; closing stages need a reason)",
    )
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        introduction = self.get_object()
        payload = MoveSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        if actor_side(request.user) == pipeline.EMPLOYER and not employer_may_see_profile(introduction):
            raise PermissionDenied(
                _("This introduction is closed, or the candidate no longer shares the profile with you.")
            )
        try:
            introduction = introduction_move(
                introduction=introduction,
                to=data["to"],
                actor=request.user,
                reason=data["reason"],
                comment=data["comment"],
            )
        except DjangoValidationError as error:
            raise service_error(error) from error
        return self._answer(introduction)
