from audit.admin_mixins import ClientAccessAdminMixin
from clients.admin_mixins import MarkerInputsAdminMixin
from clients.models import Client, Episode, LevelOfCareChange
from iop.admin import ClinicalAdmin, ScopedChoicesMixin, admin
from programs.models import site_ids_of


class LevelOfCareChangeInline(admin.TabularInline):
    """Append-only: level-of-care changes are made by decisions on the progress page."""

    model = LevelOfCareChange
    fields = ["effective_on", "level_of_care", "reason", "changed_by", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class EpisodeInline(ScopedChoicesMixin, admin.TabularInline):
    """The client's episodes at the admin's sites (superusers: all)."""

    model = Episode
    fields = ["ref", "site", "track", "level_of_care", "status", "admitted_on", "ended_on"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def get_queryset(self, request):
        episodes = super().get_queryset(request)
        return episodes if request.user.is_superuser else episodes.filter(site_id__in=site_ids_of(request.user))

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Client)
class ClientAdmin(ClientAccessAdminMixin, ClinicalAdmin):
    """Clients are created by the intake page (which assigns the MRN), not here."""

    site_path = "episodes__site"
    list_display = ["mrn", "last_name", "first_name", "preferred_name", "date_of_birth", "court_involved"]
    list_filter = ["court_involved", "primary_substance", "referral_source", "episodes__site"]
    search_fields = ["mrn", "last_name", "first_name", "preferred_name"]
    readonly_fields = ["mrn", "created_at"]
    inlines = [EpisodeInline]

    def has_add_permission(self, request):
        return False


@admin.register(Episode)
class EpisodeAdmin(MarkerInputsAdminMixin, ClientAccessAdminMixin, ClinicalAdmin):
    """Episodes are opened by intake/readmission and changed by decisions (level of care,
    status, end); the admin corrects the assignment (track, staff, hours), with history."""

    site_path = "site"
    list_display = ["ref", "client", "site", "track", "level_of_care", "status", "admitted_on", "ended_on"]
    list_filter = ["status", "level_of_care", "site", "track"]
    search_fields = ["ref", "client__mrn", "client__last_name", "client__first_name"]
    list_select_related = ["client", "site", "track"]
    readonly_fields = [
        "ref",
        "client",
        "site",
        "admitted_on",
        "level_of_care",
        "status",
        "ended_on",
        "end_reason",
        "created_at",
    ]
    raw_id_fields = ["primary_therapist", "case_manager"]
    date_hierarchy = "admitted_on"
    inlines = [LevelOfCareChangeInline]

    def has_add_permission(self, request):
        return False

    def marker_inputs(self, obj, form):
        return {"episode_ids": [obj.pk]}  # e.g. its required weekly hours


@admin.register(LevelOfCareChange)
class LevelOfCareChangeAdmin(ClientAccessAdminMixin, ClinicalAdmin):
    site_path = "episode__site"
    list_display = ["episode", "level_of_care", "effective_on", "reason", "changed_by"]
    list_filter = ["level_of_care", "episode__site"]
    search_fields = ["episode__ref", "episode__client__mrn"]
    list_select_related = ["episode", "changed_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
