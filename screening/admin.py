"""Admin: program admins edit analytes (cutoffs, LOINC) and panels; screens and prescriptions are
clinical rows (history, never deleted, scoped to the admin's sites)."""

from audit.admin_mixins import ClientAccessAdminMixin
from clients.admin_mixins import MarkerInputsAdminMixin
from iop.admin import ClinicalAdmin, ReadOnlyAdminMixin, ScopedHistoryAdmin, admin
from screening.models import Analyte, Panel, Prescription, Screen, ScreenResult


@admin.register(Analyte)
class AnalyteAdmin(ScopedHistoryAdmin):
    list_display = ["code", "name", "drug_class", "screening_cutoff", "confirmation_cutoff", "loinc", "active"]
    list_editable = ["screening_cutoff", "confirmation_cutoff", "active"]
    list_filter = ["active", "drug_class"]
    search_fields = ["code", "name", "loinc"]


@admin.register(Panel)
class PanelAdmin(ScopedHistoryAdmin):
    list_display = ["name", "analyte_codes", "active"]
    list_filter = ["active"]
    filter_horizontal = ["analytes"]
    search_fields = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("analytes")

    @admin.display(description="analytes")
    def analyte_codes(self, panel):
        return ", ".join(a.code for a in panel.analytes.all())


@admin.register(Prescription)
class PrescriptionAdmin(MarkerInputsAdminMixin, ClientAccessAdminMixin, ClinicalAdmin):
    marker_input_field = "client"
    site_path = "client__episodes__site"
    list_display = ["client", "medication", "analyte", "start", "end", "entered_in_error"]
    list_filter = ["analyte", "entered_in_error"]
    search_fields = ["client__mrn", "client__last_name", "medication"]
    list_select_related = ["client", "analyte"]
    raw_id_fields = ["client"]
    readonly_fields = ["created_by", "created_at"]


class ScreenResultInline(ReadOnlyAdminMixin, admin.TabularInline):
    """Results are read-only here: they are recorded with the screen, confirmed from the
    pending-labs page and corrected by marking the screen entered in error."""

    model = ScreenResult
    extra = 0
    fields = ["analyte", "result", "level_ng_ml", "confirmation", "confirmation_sent_on", "confirmed_on"]
    readonly_fields = fields


@admin.register(Screen)
class ScreenAdmin(MarkerInputsAdminMixin, ClientAccessAdminMixin, ClinicalAdmin):
    site_path = "episode__site"
    date_hierarchy = "collected_at"
    list_display = ["episode", "collected_at", "method", "panel", "outcome", "observed", "entered_in_error"]
    list_filter = ["outcome", "method", "observed", "entered_in_error", "episode__site"]
    search_fields = ["episode__ref", "episode__client__mrn", "episode__client__last_name"]
    list_select_related = ["episode", "panel"]
    raw_id_fields = ["episode", "collected_by"]
    inlines = [ScreenResultInline]
