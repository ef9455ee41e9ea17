from django.contrib import admin

from consents.models import Consent, Disclosure
from iop.admin import ClinicalAdmin, ReadOnlyAdminMixin


@admin.register(Consent)
class ConsentAdmin(ClinicalAdmin):
    site_path = "site"
    list_display = ["client", "recipient_name", "purpose", "signed_on", "expires_on", "revoked_on", "entered_in_error"]
    list_filter = ["purpose", "site"]
    search_fields = ["client__mrn", "recipient_name"]
    raw_id_fields = ["client"]
    readonly_fields = ["revoked_on", "revoked_by", "entered_in_error", "error_reason", "created_by"]

    def has_change_permission(self, request, obj=None):
        return False  # consents are recorded, revoked and corrected in the app, which checks §2.31


@admin.register(Disclosure)
class DisclosureAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["client", "recipient", "purpose", "description", "disclosed_by", "disclosed_at"]
    list_filter = ["purpose", "method"]
    exclude = ["document"]

    def get_queryset(self, request):
        qs = super().get_queryset(request).defer("document")
        return qs if request.user.is_superuser else qs.filter(consent__site__staff=request.user)
