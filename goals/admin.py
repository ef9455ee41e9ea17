from audit.admin_mixins import ClientAccessAdminMixin
from clients.admin_mixins import MarkerInputsAdminMixin
from goals.models import Goal, GoalRating, Worksheet
from iop.admin import ClinicalAdmin, ScopedChoicesMixin, admin


@admin.register(Goal)
class GoalAdmin(MarkerInputsAdminMixin, ClientAccessAdminMixin, ClinicalAdmin):
    site_path = "episode__site"
    list_display = ["episode", "ref", "area", "statement", "status", "target_date", "set_by", "created_at"]
    list_filter = ["status", "area", "episode__site"]
    search_fields = ["episode__ref", "episode__client__mrn", "statement"]
    list_select_related = ["episode", "set_by"]
    raw_id_fields = ["episode", "revises", "set_by"]
    readonly_fields = ["ref", "created_at"]


class GoalRatingInline(ScopedChoicesMixin, admin.TabularInline):
    model = GoalRating
    extra = 0
    raw_id_fields = ["goal"]
    can_delete = False


@admin.register(Worksheet)
class WorksheetAdmin(MarkerInputsAdminMixin, ClientAccessAdminMixin, ClinicalAdmin):
    site_path = "episode__site"
    list_display = ["episode", "week", "completed_by", "version", "created_at"]
    list_filter = ["episode__site"]
    search_fields = ["episode__ref", "episode__client__mrn"]
    list_select_related = ["episode", "completed_by"]
    raw_id_fields = ["episode", "completed_by"]
    readonly_fields = ["version", "created_at"]
    date_hierarchy = "week"
    inlines = [GoalRatingInline]


@admin.register(GoalRating)
class GoalRatingAdmin(MarkerInputsAdminMixin, ClientAccessAdminMixin, ClinicalAdmin):
    site_path = "worksheet__episode__site"
    client_path = "worksheet__episode__client"
    list_display = ["worksheet", "goal", "rating"]
    list_select_related = ["worksheet__episode", "goal"]
    raw_id_fields = ["worksheet", "goal"]

    def marker_inputs(self, obj, form):
        worksheets = {obj.worksheet_id, form.initial.get("worksheet")} - {None}
        return {"episode_ids": Worksheet.objects.filter(pk__in=worksheets).values_list("episode_id", flat=True)}
