"""The API's matches (the stored ranked pairs with their components and explanation),
placements, support measures and the funder's report figures: for case workers and admins only
(employers: 403)."""

from __future__ import annotations

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from bridges.api.errors import form_errors
from candidates.api import WorksCases
from candidates.models import SupportMeasure
from matching import selectors
from matching.forms_report import ReportFilterForm
from matching.models import Match, Placement
from matching.report import report_build
from matching.report_scope import Where


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
    ordering_fields = ["score", "computed_at"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return selectors.matches_overview(user=self.request.user)  # Django's PermissionDenied: DRF's 403


# --- the funder's report -------------------------------------------------------------------------


class _Count(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class _FunnelStep(serializers.Serializer):
    step = serializers.CharField()
    label = serializers.CharField()
    total = serializers.IntegerField()
    here = serializers.IntegerField()
    abroad = serializers.IntegerField()


class _MonthCount(serializers.Serializer):
    month = serializers.DateField()
    here = serializers.IntegerField()
    abroad = serializers.IntegerField()


class _Quartiles(serializers.Serializer):
    n = serializers.IntegerField()
    q1 = serializers.FloatField(allow_null=True)
    median = serializers.FloatField(allow_null=True)
    q3 = serializers.FloatField(allow_null=True)


class _StageDays(serializers.Serializer):
    stage = serializers.CharField()
    label = serializers.CharField()
    n = serializers.IntegerField()
    median = serializers.FloatField(allow_null=True)
    mean = serializers.FloatField(allow_null=True)


class _Retention(serializers.Serializer):
    months = serializers.IntegerField()
    due = serializers.IntegerField()
    recorded = serializers.IntegerField()
    in_work = serializers.IntegerField()
    share = serializers.FloatField(allow_null=True)


class _CostRow(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    measures = serializers.IntegerField()
    committed = serializers.DecimalField(max_digits=14, decimal_places=2)
    spent = serializers.DecimalField(max_digits=14, decimal_places=2)


class ReportSerializer(serializers.Serializer):
    """The figures of the report page (matching.report.Report) for one period and filter."""

    start = serializers.DateField(source="filters.start")
    end = serializers.DateField(source="filters.end")
    funnel = _FunnelStep(many=True)
    placements = serializers.IntegerField()
    placements_here = serializers.IntegerField()
    returns = serializers.IntegerField()
    placements_by_kind = _Count(many=True)
    placements_by_month = _MonthCount(many=True)
    time_to_placement = _Quartiles()
    days_per_stage = _StageDays(many=True)
    retention = _Retention(many=True)
    close_reasons = _Count(many=True)
    costs = _CostRow(many=True)
    spent_total = serializers.DecimalField(max_digits=14, decimal_places=2)
    spent_on_placed = serializers.DecimalField(max_digits=14, decimal_places=2)
    cost_per_placement_placed = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    cost_per_placement_all = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)


class ReportView(APIView):
    """The report's figures, checked and computed as on the report page."""

    permission_classes = [WorksCases]

    @extend_schema(
        summary="The funder's report figures for a period (case workers and admins)",
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATE, description="Default: 1 January of this year."),
            OpenApiParameter(
                "end", OpenApiTypes.DATE, description="Inclusive; default today; at most 5 years after the start."
            ),
            OpenApiParameter("case_worker", OpenApiTypes.INT),
            OpenApiParameter("origin_country", OpenApiTypes.STR, description="ISO 3166 code."),
            OpenApiParameter("origin_region", OpenApiTypes.INT),
            OpenApiParameter("where", OpenApiTypes.STR, enum=[choice for choice, _label in Where.choices]),
        ],
        responses=ReportSerializer,
    )
    def get(self, request):
        form = ReportFilterForm(request.query_params)
        if not form.is_valid():
            raise ValidationError(form_errors(form.errors))
        return Response(ReportSerializer(report_build(form.filters())).data)


# --- placements and support measures -------------------------------------------------------------


class PlacementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Placement
        fields = [
            "id",
            "introduction",
            "candidate",
            "position",
            "kind",
            "start_date",
            "place",
            "fixed_term",
            "end_date",
            "created_at",
        ]


class PlacementFilter(django_filters.FilterSet):
    started_from = django_filters.DateFilter(field_name="start_date", lookup_expr="gte")
    started_until = django_filters.DateFilter(field_name="start_date", lookup_expr="lte")

    class Meta:
        model = Placement
        fields = ["candidate", "position", "kind", "started_from", "started_until"]


@extend_schema_view(
    list=extend_schema(summary="Placements (case workers and admins)"),
    retrieve=extend_schema(summary="One placement"),
)
class PlacementViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Placement.objects.order_by("-start_date", "pk")
    serializer_class = PlacementSerializer
    permission_classes = [WorksCases]
    filterset_class = PlacementFilter
    ordering_fields = ["start_date", "created_at"]


class MeasureSerializer(serializers.ModelSerializer):
    planned_cost = serializers.DecimalField(max_digits=10, decimal_places=2)
    actual_cost = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)

    class Meta:
        model = SupportMeasure
        fields = [
            "id",
            "candidate",
            "kind",
            "title",
            "provider",
            "start_date",
            "end_date",
            "planned_cost",
            "actual_cost",
            "status",
            "closes",
            "position",
            "introduction",
        ]


class MeasureFilter(django_filters.FilterSet):
    class Meta:
        model = SupportMeasure
        fields = ["candidate", "kind", "status", "position"]


@extend_schema_view(
    list=extend_schema(summary="Support measures: training, travel, accommodation (case workers and admins)"),
    retrieve=extend_schema(summary="One support measure"),
)
class MeasureViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = SupportMeasure.objects.order_by("-start_date", "pk")
    serializer_class = MeasureSerializer
    permission_classes = [WorksCases]
    filterset_class = MeasureFilter
    ordering_fields = ["start_date", "planned_cost"]
