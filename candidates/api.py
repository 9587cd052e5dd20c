"""The API's candidates: for case workers and admins only (an employer sees what an introduction
shares with them, never this resource: 403). Read-only here; every read of a profile is
recorded in the audit trail, as on the pages."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import permissions, serializers, viewsets
from rest_framework.response import Response

from bridges.models import AuditEvent
from bridges.services import audit_log
from candidates import selectors
from candidates.models import Candidate


class WorksCases(permissions.BasePermission):
    message = gettext_lazy("Only case workers and admins may read candidates.")

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.works_cases)


class CandidateSerializer(serializers.ModelSerializer):
    town = serializers.CharField(source="place.name", default=None, allow_null=True, read_only=True)
    nationality = serializers.CharField(source="nationality.code", read_only=True)
    country_of_origin = serializers.CharField(source="country_of_origin.code", read_only=True)
    return_country = serializers.CharField(source="return_country.code", read_only=True)
    languages = serializers.SerializerMethodField()
    desired_occupations = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    case_worker = serializers.EmailField(source="case_worker.email", default=None, allow_null=True, read_only=True)

    class Meta:
        model = Candidate
        fields = [
            "id",
            "first_name",
            "last_name",
            "date_of_birth",
            "gender",
            "email",
            "phone",
            "postal_code",
            "town",
            "nationality",
            "country_of_origin",
            "residence_status",
            "residence_valid_until",
            "work_permission",
            "work_permission_valid_until",
            "languages",
            "desired_occupations",
            "max_commute_km",
            "willing_to_relocate",
            "available_from",
            "perspective",
            "return_country",
            "status",
            "case_worker",
            "last_confirmed",
            "created_at",
            "updated_at",
        ]
        # Not `read_only_fields`: a read-only field loses `allow_blank`, and the schema then leaves
        # the empty choice out of its enum (the resource is read-only anyway).

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_languages(self, candidate: Candidate) -> list[dict]:
        return [{"language": row.language.code, "level": row.level} for row in candidate.languages.all()]


class CandidateFilter(django_filters.FilterSet):
    class Meta:
        model = Candidate
        fields = ["status", "perspective", "work_permission", "residence_status"]


@extend_schema_view(
    list=extend_schema(summary="Candidates (case workers and admins)"),
    retrieve=extend_schema(summary="One candidate's profile (recorded in the audit trail)"),
)
class CandidateViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Candidate.objects.none()  # for the schema
    serializer_class = CandidateSerializer
    permission_classes = [WorksCases]
    filterset_class = CandidateFilter
    ordering_fields = ["last_name", "updated_at", "available_from"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        # The selector refuses other roles with Django's PermissionDenied; DRF answers it with 403.
        queryset = selectors.candidate_list(user=self.request.user)
        return queryset.filter(erased_at__isnull=True).order_by("last_name", "first_name", "pk")

    def retrieve(self, request, *args, **kwargs):
        candidate = self.get_object()
        audit_log(
            actor=request.user, action=AuditEvent.Action.VIEW, target=candidate, summary=gettext_lazy("profile (API)")
        )
        return Response(self.get_serializer(candidate).data)
