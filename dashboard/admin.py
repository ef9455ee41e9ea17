from audit.admin_mixins import ClientAccessAdminMixin
from dashboard.models import Decision
from iop.admin import ClinicalAdmin, ReadOnlyAdminMixin, admin


@admin.register(Decision)
class DecisionAdmin(ClientAccessAdminMixin, ReadOnlyAdminMixin, ClinicalAdmin):
    """Decisions are recorded from the client's progress page (with their evidence), never here."""

    site_path = "episode__site"
    list_display = ["episode", "kind", "decided_on", "decided_by", "is_override"]
    list_filter = ["kind", "is_override", "episode__site"]
    search_fields = ["episode__ref", "episode__client__mrn"]
    date_hierarchy = "decided_on"
    list_select_related = ["episode", "decided_by"]
