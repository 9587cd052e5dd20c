"""The API's matches: the stored ranked pairs with their components and explanation, for case
workers and admins only (employers see candidates only through introductions: 403)."""

from __future__ import annotations

import django_filters
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.filters import OrderingFilter

from candidates.api import WorksCases
from matching import selectors
from matching.models import Match


class MatchSerializer(serializers.ModelSerializer):
    score = serializers.FloatField(help_text="0–100.")
    decision = serializers.CharField(
        source="decision_status", default=None, allow_null=True, help_text="The case workers' decision, if any."
    )
    components = serializers.DictField(help_text="Each part of the score, 0–1.")
    explanation = serializers.DictField(help_text="Why: matched and missing skills, gaps, support.")

    class Meta:
        model = Match
        fields = [
            "id",
            "candidate",
            "position",
            "score",
            "rank_for_position",
            "rank_for_candidate",
            "decision",
            "components",
            "explanation",
            "computed_at",
        ]


class MatchFilter(django_filters.FilterSet):
    min_score = django_filters.NumberFilter(field_name="score", lookup_expr="gte")

    class Meta:
        model = Match
        fields = ["candidate", "position", "min_score"]


@extend_schema_view(
    list=extend_schema(summary="Matches, best first (case workers and admins)"),
    retrieve=extend_schema(summary="One match with its explanation"),
)
class MatchViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Match.objects.none()  # for the schema
    serializer_class = MatchSerializer
    permission_classes = [WorksCases]
    filterset_class = MatchFilter
    filter_backends = [django_filters.rest_framework.DjangoFilterBackend, OrderingFilter]
    ordering_fields = ["score", "computed_at"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        try:
            return selectors.matches_overview(user=self.request.user)
        except DjangoPermissionDenied as error:
            raise PermissionDenied from error
