"""Admin for candidate data: search and filters for everything."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from candidates.models import Candidate, CandidateLanguage, Consent, Document, Education, Note, WorkExperience


class CandidateLanguageInline(admin.TabularInline):
    model = CandidateLanguage
    extra = 0
    autocomplete_fields = ["language"]


class EducationInline(admin.TabularInline):
    model = Education
    extra = 0


class ExperienceInline(admin.TabularInline):
    model = WorkExperience
    extra = 0
    autocomplete_fields = ["occupation"]


class ConsentInline(admin.TabularInline):
    model = Consent
    extra = 0
    readonly_fields = ["given_at", "recorded_by", "withdrawn_at", "withdrawn_by"]


class DocumentInline(admin.TabularInline):
    model = Document
    extra = 0
    fields = ["kind", "title", "original_name", "content_type", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        # Uploads go through the candidate page, which checks the file's content.
        return False


@admin.register(Candidate)
class CandidateAdmin(admin.ModelAdmin):
    list_display = [
        "last_name",
        "first_name",
        "date_of_birth",
        "country_of_origin",
        "status",
        "perspective",
        "case_worker_name",
        "updated_at",
    ]
    list_filter = ["status", "perspective", "work_permission", "residence_status", "country_of_origin", "case_worker"]
    search_fields = ["first_name", "last_name", "email", "phone"]
    autocomplete_fields = ["place", "region_of_origin", "return_region", "skills", "desired_occupations"]
    filter_horizontal = ["relocation_regions"]
    readonly_fields = ["created_at", "updated_at", "rescore_requested_at"]
    inlines = [CandidateLanguageInline, EducationInline, ExperienceInline, ConsentInline, DocumentInline]
    date_hierarchy = "created_at"
    list_select_related = ["case_worker"]

    @admin.display(description=_("case worker"), ordering="case_worker__last_name")
    def case_worker_name(self, candidate: Candidate) -> str:
        # The name, not the e-mail address: the list fits a laptop's width.
        return candidate.case_worker.get_full_name() if candidate.case_worker else "–"


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    list_display = ["candidate", "purpose", "recipient", "method", "given_at", "withdrawn_at"]
    list_filter = ["purpose", "method", "withdrawn_at"]
    search_fields = ["candidate__last_name", "candidate__first_name", "recipient"]
    autocomplete_fields = ["candidate"]
    list_select_related = ["candidate"]


@admin.register(Note)
class NoteAdmin(admin.ModelAdmin):
    list_display = ["candidate", "author", "created_at"]
    search_fields = ["candidate__last_name", "text"]
    autocomplete_fields = ["candidate"]
    list_select_related = ["candidate", "author"]


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["candidate", "kind", "original_name", "content_type", "size", "uploaded_at"]
    list_filter = ["kind", "content_type"]
    search_fields = ["candidate__last_name", "original_name", "title"]
    readonly_fields = ["candidate", "file", "original_name", "content_type", "size", "uploaded_by", "uploaded_at"]
    list_select_related = ["candidate"]

    def has_add_permission(self, request) -> bool:
        return False
