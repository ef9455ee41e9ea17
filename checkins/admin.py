from audit.admin_mixins import ClientAccessAdminMixin
from checkins.models import Addendum, CheckIn
from iop.admin import ClinicalAdmin, ReadOnlyAdminMixin, admin


class AddendumInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Addendum
    extra = 0
    fields = ["created_at", "author", "text"]
    readonly_fields = fields


@admin.register(CheckIn)
class CheckInAdmin(ClientAccessAdminMixin, ReadOnlyAdminMixin, ClinicalAdmin):
    """Check-ins are written, signed and amended from the client's record (the services keep
    the lock and the one-per-week rule); the admin only shows them and their history."""

    site_path = "episode__site"
    list_display = ["episode", "week", "recommendation", "risk", "author", "signed_by", "signed_at"]
    list_filter = ["recommendation", "risk", ("signed_at", admin.EmptyFieldListFilter), "episode__site"]
    search_fields = ["episode__ref", "episode__client__mrn"]
    date_hierarchy = "week"
    list_select_related = ["episode", "author", "signed_by"]
    inlines = [AddendumInline]


@admin.register(Addendum)
class AddendumAdmin(ClientAccessAdminMixin, ReadOnlyAdminMixin, ClinicalAdmin):
    site_path = "checkin__episode__site"
    client_path = "checkin__episode__client"
    list_display = ["checkin", "author", "created_at"]
    search_fields = ["checkin__episode__ref", "checkin__episode__client__mrn"]
    list_select_related = ["checkin__episode", "author"]
