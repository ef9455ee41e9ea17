from django.contrib import admin

from aftercare.models import AftercarePlan, FollowUp
from audit.admin_mixins import ClientAccessAdminMixin
from iop.admin import ClinicalAdmin, ReadOnlyAdminMixin


@admin.register(AftercarePlan)
class AftercarePlanAdmin(ClientAccessAdminMixin, ReadOnlyAdminMixin, ClinicalAdmin):
    """Viewable with its history; plans are written and corrected in the app (optimistic lock)."""

    site_path = "episode__site"
    list_display = ["episode", "continuing_care_track", "outpatient_sessions_per_week", "recorded_by", "updated_at"]
    list_filter = ["episode__site"]
    search_fields = ["episode__ref", "episode__client__mrn"]


@admin.register(FollowUp)
class FollowUpAdmin(ClientAccessAdminMixin, ReadOnlyAdminMixin, ClinicalAdmin):
    """Viewable with its history; contacts are logged in the app, which applies the follow-up rules."""

    site_path = "episode__site"
    list_display = ["episode", "offset_days", "due_on", "reached", "attempts", "done", "recorded_at"]
    list_filter = ["done", "offset_days", "episode__site"]
    search_fields = ["episode__ref", "episode__client__mrn"]
