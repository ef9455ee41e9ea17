"""Sites, tracks and criteria (scoped to the admin's sites: a ``site`` drop-down offers only
theirs, through the site admin's queryset), and the scoped user admin (``programs.admin_users``)."""

from django.db.models import Count

from iop.admin import NoDeleteAdminMixin, ScopedHistoryAdmin, SiteScopedAdminMixin, admin
from programs import (
    admin_users,  # noqa: F401  (registers the scoped user admin)
    services,
)
from programs.admin_users import users_visible_to
from programs.models import Criteria, Site, Supervision, Track


@admin.register(Site)
class SiteAdmin(NoDeleteAdminMixin, ScopedHistoryAdmin):
    list_display = ["code", "name", "staff_count", "next_mrn_number"]
    search_fields = ["code", "name"]
    filter_horizontal = ["staff"]
    readonly_fields = ["next_mrn_number"]

    def get_queryset(self, request):
        sites = Site.objects.for_user(request.user).annotate(staff_total=Count("staff", distinct=True))
        return sites.order_by("name")  # a GROUP BY drops Meta.ordering

    def get_readonly_fields(self, request, obj=None):
        """A site's staff are managed from each user's page by a non-superuser (which keeps
        their other sites): here the list would drop every user they may not manage."""
        readonly = [*super().get_readonly_fields(request, obj)]
        return readonly if request.user.is_superuser else [*readonly, "staff"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:  # a new site starts with its criteria row (the defaults), shown and editable
            services.site_criteria_ensure(site=obj)

    @admin.display(description="Staff", ordering="staff_total")
    def staff_count(self, obj):
        return obj.staff_total


@admin.register(Track)
class TrackAdmin(SiteScopedAdminMixin, NoDeleteAdminMixin, ScopedHistoryAdmin):
    site_path = "site"
    list_display = ["code", "name", "site", "schedule_label", "start_time", "end_time", "continuing_care", "active"]
    list_filter = ["site", "active", "cadence", "continuing_care"]
    search_fields = ["code", "name"]
    list_select_related = ["site"]


@admin.register(Criteria)
class CriteriaAdmin(SiteScopedAdminMixin, NoDeleteAdminMixin, ScopedHistoryAdmin):
    site_path = "site"
    list_display = [
        "site",
        "level_of_care",
        "weekly_hours",
        "step_down_applies",
        "step_down_min_weeks",
        "graduation_min_weeks",
        "attendance_rate_min",
        "step_down_streak",
    ]
    list_display_links = ["site", "level_of_care"]
    list_filter = ["level_of_care", "site"]
    list_select_related = ["site"]
    fieldsets = [
        (
            None,
            {
                "fields": ["site", "level_of_care", "weekly_hours"],
                "description": (
                    "Each site has one row per level of care (PHP, IOP, outpatient). An episode is judged by "
                    "the row of its site and current level; a new episode of a level starts with that row's "
                    "weekly hours. A threshold of 0 requires nothing. docs/criteria.md explains every rule."
                ),
            },
        ),
        (
            "Readiness",
            {
                "fields": [
                    "step_down_applies",
                    ("step_down_min_weeks", "graduation_min_weeks"),
                    ("attendance_rate_min", "attendance_window_days"),
                    ("hours_weeks_window", "hours_weeks_required"),
                    ("step_down_streak", "step_down_streak_days"),
                    ("graduation_streak", "graduation_streak_days"),
                    "no_positive_days",
                    ("step_down_goals_on_track", "graduation_goals_on_track", "on_track_rating"),
                    ("worksheet_max_age_days", "checkin_max_age_days", "risk_free_days"),
                ]
            },
        ),
        (
            "Needs-attention flags",
            {
                "fields": [
                    ("flag_absences_count", "flag_absences_days"),
                    ("flag_positive_days", "flag_missed_days"),
                    "flag_screen_overdue_days",
                    "flag_checkin_weekday",
                ]
            },
        ),
        ("Co-signature", {"fields": ["readiness_requires_cosignature"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        """A row's site and level are its identity: changed, it would judge other episodes."""
        readonly = [*super().get_readonly_fields(request, obj)]
        return [*readonly, "site", "level_of_care"] if obj is not None else readonly


@admin.register(Supervision)
class SupervisionAdmin(NoDeleteAdminMixin, ScopedHistoryAdmin):
    """Who needs co-signature, and by whom (scoped: the clinician works at one of the admin's
    sites; the drop-downs offer the users of those sites only, through the user admin)."""

    list_display = ["clinician", "supervisor", "active"]
    list_filter = ["active"]
    list_select_related = ["clinician", "supervisor"]
    search_fields = ["clinician__username", "clinician__last_name", "supervisor__username"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(clinician__in=users_visible_to(request.user))
