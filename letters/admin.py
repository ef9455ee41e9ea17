from django.contrib import admin

from iop.admin import SiteScopedAdminMixin
from letters.models import LetterTemplate


@admin.register(LetterTemplate)
class LetterTemplateAdmin(SiteScopedAdminMixin, admin.ModelAdmin):
    site_path = "site"
    list_display = ["site", "kind", "letterhead_name", "signer_name"]
    list_filter = ["site", "kind"]
