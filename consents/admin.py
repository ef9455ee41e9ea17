from django.contrib import admin

from audit.admin_mixins import ClientAccessAdminMixin
from consents.models import Consent, Disclosure
from iop.admin import ClinicalAdmin, ReadOnlyAdminMixin, SiteScopedAdminMixin


@admin.register(Consent)
class ConsentAdmin(ClientAccessAdminMixin, ReadOnlyAdminMixin, ClinicalAdmin):
    """Viewable and filterable; consents are recorded, revoked and corrected in the app, which
    checks every §2.31 element."""

    site_path = "site"
    list_display = ["client", "recipient_name", "purpose", "signed_on", "expires_on", "revoked_on", "entered_in_error"]
    list_filter = ["purpose", "site"]
    search_fields = ["client__mrn", "recipient_name"]


@admin.register(Disclosure)
class DisclosureAdmin(ClientAccessAdminMixin, ReadOnlyAdminMixin, SiteScopedAdminMixin, admin.ModelAdmin):
    """Append-only: what was released, to whom, under which consent (the PDF is on the
    client's accounting page)."""

    site_path = "consent__site"
    list_display = ["client", "recipient", "purpose", "description", "disclosed_by", "disclosed_at"]
    list_filter = ["purpose", "method"]
    exclude = ["document"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("document")
