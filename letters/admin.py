from django.contrib import admin

from iop.admin import NoDeleteAdminMixin, SiteScopedAdminMixin
from letters.models import LetterTemplate


@admin.register(LetterTemplate)
class LetterTemplateAdmin(SiteScopedAdminMixin, NoDeleteAdminMixin, admin.ModelAdmin):
    """A site's letterhead and wording of each kind of letter (program admins edit them)."""

    site_path = "site"
    list_display = ["site", "kind", "letterhead_name", "signer_name"]
    list_filter = ["site", "kind"]
