from audit.models import AccessEvent
from iop.admin import ReadOnlyAdminMixin, SiteScopedAdminMixin, admin


@admin.register(AccessEvent)
class AccessEventAdmin(ReadOnlyAdminMixin, SiteScopedAdminMixin, admin.ModelAdmin):
    """Who opened which record: filterable, searchable by MRN, never editable."""

    site_path = "client__episodes__site"
    list_display = ["at", "user", "action", "client_mrn", "path", "ip_address"]
    list_filter = ["action", "user", "at"]
    search_fields = ["client__mrn"]
    search_help_text = "Search by MRN."
    list_select_related = ["user", "client"]
    date_hierarchy = "at"
    list_per_page = 100

    @admin.display(description="MRN", ordering="client__mrn")
    def client_mrn(self, obj):
        return obj.client.mrn if obj.client else "—"
