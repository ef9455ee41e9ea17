import contextlib
import datetime as dt

from django import forms
from django.contrib.admin import helpers
from django.contrib.admin.exceptions import NotRegistered
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils import timezone

from attendance.models import Attendance, AttendanceCorrection, Session, SessionAddendum
from attendance.services import sessions_generate
from audit.admin_mixins import ClientAccessAdminMixin
from clients.admin_mixins import MarkerInputsAdminMixin
from clients.services import episodes_inputs_changed
from iop.admin import ClinicalAdmin, LockedWhenMixin, ReadOnlyAdminMixin, ScopedChoicesMixin, admin
from programs.models import Track


class GenerateSessionsForm(forms.Form):
    date_from = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="To (inclusive)", widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            raise ValidationError("The end of the range is before its start.")
        if start and end and (end - start).days > 366:
            raise ValidationError("Generate at most one year at a time.")
        return cleaned


@admin.action(description="Generate the scheduled sessions of the selected tracks", permissions=["change"])
def generate_sessions(modeladmin, request, queryset):
    """Admin action on tracks: ask for a date range, then create each track's scheduled group
    sessions on the days it meets (weekly or monthly), skipping the ones that exist."""
    if "apply" in request.POST:
        form = GenerateSessionsForm(request.POST)
        if form.is_valid():
            start, end = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
            created = sum(
                len(sessions_generate(track=t, date_from=start, date_to=end, by=request.user)) for t in queryset
            )
            modeladmin.message_user(
                request,
                f"{created} session(s) created for {queryset.count()} track(s) "
                f"from {start:%m/%d/%Y} to {end:%m/%d/%Y}.",
            )
            return None
    else:
        today = timezone.localdate()
        form = GenerateSessionsForm(initial={"date_from": today, "date_to": today + dt.timedelta(days=27)})
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": "Generate scheduled sessions",
        "tracks": queryset,
        "form": form,
        "opts": modeladmin.model._meta,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "action_name": "generate_sessions",
    }
    return TemplateResponse(request, "attendance/admin/generate_sessions.html", context)


# The track admin lives in ``programs`` (which must not import attendance): attach the action.
with contextlib.suppress(NotRegistered):
    _track_admin = admin.site.get_model_admin(Track)
    if generate_sessions not in (_track_admin.actions or ()):
        _track_admin.actions = [*(_track_admin.actions or ()), generate_sessions]


class SignedSessionLock(LockedWhenMixin):
    """A signed session and its attendance are read-only here: corrections are addenda,
    written from the session page (``session_addendum_add``)."""

    def is_locked(self, obj):
        session = obj if isinstance(obj, Session) else obj.session
        return session.is_signed


class AttendanceInline(ScopedChoicesMixin, SignedSessionLock, admin.TabularInline):
    model = Attendance
    extra = 0
    fields = ["episode", "status", "minutes_attended", "note", "recorded_by"]
    raw_id_fields = ["episode", "recorded_by"]
    can_delete = False


class AddendumInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = SessionAddendum
    extra = 0
    fields = ["text", "author", "created_at"]
    readonly_fields = fields


@admin.register(Session)
class SessionAdmin(MarkerInputsAdminMixin, ClientAccessAdminMixin, SignedSessionLock, ClinicalAdmin):
    site_path = "site"
    client_path = "attendance__episode__client"
    list_display = ["date", "start_time", "kind", "track", "site", "status", "note_signed_at"]
    list_filter = ["site", "kind", "status", "track"]
    date_hierarchy = "date"
    list_select_related = ["site", "track"]
    search_fields = ["topic", "track__code"]
    raw_id_fields = ["facilitator", "co_facilitators", "note_signed_by"]
    readonly_fields = ["version", "note_signed_at", "note_signed_by", "created_at"]
    inlines = [AttendanceInline, AddendumInline]

    def marker_inputs(self, obj, form):
        """Every episode on the roster: the session's date, status and rows are theirs."""
        return {"episode_ids": Attendance.objects.filter(session=obj).values_list("episode_id", flat=True)}

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        episodes_inputs_changed(**self.marker_inputs(form.instance, form))  # with rows just added


@admin.register(Attendance)
class AttendanceAdmin(MarkerInputsAdminMixin, ClientAccessAdminMixin, SignedSessionLock, ClinicalAdmin):
    site_path = "session__site"
    list_display = ["session", "episode", "status", "minutes_attended", "recorded_by"]
    list_filter = ["status", "session__site"]
    list_select_related = ["session", "episode", "recorded_by"]
    search_fields = ["episode__ref", "episode__client__mrn"]
    raw_id_fields = ["session", "episode", "recorded_by"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "session":
            field.queryset = field.queryset.filter(note_signed_at__isnull=True)  # no row joins a signed roster
        return field


@admin.register(SessionAddendum)
class SessionAddendumAdmin(ClientAccessAdminMixin, ReadOnlyAdminMixin, ClinicalAdmin):
    """Addenda are written from the session page and never change."""

    site_path = "session__site"
    client_path = "session__attendance__episode__client"
    list_display = ["session", "author", "created_at"]
    list_select_related = ["session", "author"]
    raw_id_fields = ["session", "author"]


@admin.register(AttendanceCorrection)
class AttendanceCorrectionAdmin(ClientAccessAdminMixin, ReadOnlyAdminMixin, ClinicalAdmin):
    """Corrections are written from the signed session's page and never change."""

    site_path = "attendance__session__site"
    client_path = "attendance__episode__client"
    list_display = ["attendance", "status", "minutes_attended", "corrected_by", "corrected_at"]
    list_select_related = ["attendance__session", "attendance__episode", "corrected_by"]
    raw_id_fields = ["attendance", "corrected_by"]
