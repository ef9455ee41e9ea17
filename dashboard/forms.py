import datetime as dt

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from aftercare.models import AftercarePlan
from clients.models import Episode, LevelOfCare
from dashboard.markers import APPROACHING, FLAG_CODES, FLAG_LABELS, NOT_READY, READY
from dashboard.models import Decision
from dashboard.services import DISCHARGE_REASONS, LEVEL_AFTER, OVERRIDE_RATIONALE_MIN
from iop.forms import DateInput, ListedModelChoiceField, StaffChoiceField
from iop.validators import NOTE_MAX_LENGTH
from programs.models import Site, Track
from programs.services import criteria_for_many

MAX_REPORT_DAYS = 366 * 5
# The caseload's readiness filters: key -> (label, test of an Evaluation).
STATUS_FILTERS = {
    "step_down_ready": ("Ready to step down", lambda ev: ev.step_down.status == READY),
    "graduation_ready": ("Ready to graduate", lambda ev: ev.graduation.status == READY),
    "approaching": (
        "Approaching step-down or graduation",
        lambda ev: APPROACHING in (ev.step_down.status, ev.graduation.status),
    ),
    "not_ready": ("Not ready to step down", lambda ev: ev.step_down.status == NOT_READY),
    "needs_attention": ("Needs attention", lambda ev: ev.needs_attention),
}


class ReportForm(forms.Form):
    start = forms.DateField(label="From", widget=DateInput())
    end = forms.DateField(label="To", widget=DateInput())
    site = forms.ModelChoiceField(queryset=Site.objects.none(), required=False, empty_label="All my sites")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = Site.objects.for_user(user)

    @staticmethod
    def defaults(today=None):
        """The last six months, from the first of the month five months ago to today."""
        today = today or timezone.localdate()
        first = today.replace(day=1)
        for _ in range(5):
            first = (first - dt.timedelta(days=1)).replace(day=1)
        return {"start": first.isoformat(), "end": today.isoformat()}

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if start > end:
                self.add_error("end", "The end date must be on or after the start date.")
            elif (end - start).days > MAX_REPORT_DAYS:
                self.add_error("end", "Choose a range of five years or less.")
        return cleaned


class DecisionForm(forms.Form):
    kind = forms.ChoiceField(label="Decision", choices=Decision.Kind.choices, widget=forms.RadioSelect)
    decided_on = forms.DateField(label="Decided on", widget=DateInput())
    end_reason = forms.ChoiceField(
        label="Discharge reason",
        choices=[("", "—")] + [(v, label) for v, label in Episode.EndReason.choices if v in DISCHARGE_REASONS],
        required=False,
        help_text="Only for a discharge.",
    )
    weekly_hours = forms.DecimalField(
        label="Required weekly hours at the new level",
        min_value=0,
        max_value=60,
        max_digits=4,
        decimal_places=1,
        required=False,
        help_text="Only for a step-down or step-up. Left empty, the new level's default at this site applies.",
    )
    rationale = forms.CharField(
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=(
            f"Why. A decision against the markers (an override) needs at least {OVERRIDE_RATIONALE_MIN} characters."
        ),
    )

    def __init__(self, *args, episode, **kwargs):
        super().__init__(*args, **kwargs)
        self.episode = episode
        self.fields["decided_on"].initial = timezone.localdate()
        # Each kind's new level and its default hours at the site (shown, and filled in by the
        # page's script when the kind changes; the server applies the default when left empty).
        rows = criteria_for_many([(episode.site_id, level) for level in LEVEL_AFTER.values()])  # one query
        self.level_hours = {kind: rows[(episode.site_id, level)].weekly_hours for kind, level in LEVEL_AFTER.items()}
        words = "; ".join(
            f"{LevelOfCare(level).label}: {self.level_hours[kind]:g} h" for kind, level in LEVEL_AFTER.items()
        )
        self.fields["weekly_hours"].help_text = (
            f"Only for a step-down or step-up ({words} by default at this site). "
            "Left empty, the new level's default applies."
        )
        self.fields["weekly_hours"].widget.attrs.update(
            {f"data-default-{kind.replace('_', '-')}": f"{hours:g}" for kind, hours in self.level_hours.items()}
        )
        self.continuing_care_track = _planned_continuing_care(episode)
        if self.continuing_care_track is not None:
            # The aftercare plan names a continuing-care group: offered (checked) at graduation.
            self.fields["continuing_care"] = forms.BooleanField(
                label=f"Open a continuing-care episode in {self.continuing_care_track.name}",
                required=False,
                initial=True,
                help_text=(
                    "Only for a graduation: the graduate keeps attending this group "
                    f"({self.continuing_care_track.schedule_label}) on an outpatient episode opened the same day."
                ),
            )

    def clean_decided_on(self):
        day = self.cleaned_data["decided_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("A decision cannot be dated in the future.")
        if day < self.episode.admitted_on:
            raise forms.ValidationError("A decision cannot be dated before the admission.")
        return day

    def clean(self):
        cleaned = super().clean()
        kind, reason = cleaned.get("kind"), cleaned.get("end_reason")
        if kind == Decision.Kind.DISCHARGE and not reason:
            self.add_error("end_reason", "Choose the reason for the discharge.")
        if kind != Decision.Kind.DISCHARGE:
            cleaned["end_reason"] = ""
        if kind not in LEVEL_AFTER:
            cleaned["weekly_hours"] = None
        wanted = kind == Decision.Kind.GRADUATE and cleaned.get("continuing_care")
        cleaned["continuing_care_track"] = self.continuing_care_track if wanted else None
        return cleaned


def _planned_continuing_care(episode):
    """The active continuing-care group the episode's aftercare plan names, or None."""
    plan = AftercarePlan.objects.filter(episode=episode).select_related("continuing_care_track").first()
    track = plan.continuing_care_track if plan else None
    return track if track is not None and track.active and track.continuing_care else None


class CaseloadFilterForm(forms.Form):
    """The caseload's filters (GET). An invalid choice is shown as an error and ignored."""

    site = ListedModelChoiceField(queryset=Site.objects.none(), required=False, empty_label="All sites")
    track = ListedModelChoiceField(queryset=Track.objects.none(), required=False, empty_label="All tracks")
    therapist = StaffChoiceField(queryset=None, required=False, empty_label="Any therapist")
    case_manager = StaffChoiceField(queryset=None, required=False, empty_label="Any case manager")
    status = forms.ChoiceField(
        label="Readiness",
        required=False,
        choices=[("", "Any readiness"), *[(k, label) for k, (label, _) in STATUS_FILTERS.items()]],
    )
    flag = forms.ChoiceField(
        required=False, choices=[("", "Any or no flag"), *[(c, FLAG_LABELS[c]) for c in FLAG_CODES]]
    )
    level = forms.ChoiceField(
        label="Level of care",
        required=False,
        choices=[("", "IOP and PHP"), (LevelOfCare.OP, "Outpatient (after step-down)"), ("all", "All levels")],
    )

    def __init__(self, *args, user, episodes, **kwargs):
        super().__init__(*args, **kwargs)
        users = get_user_model().objects.order_by("last_name", "first_name", "username")
        self.fields["site"].queryset = Site.objects.for_user(user)
        self.fields["track"].queryset = Track.objects.for_user(user).select_related("site")
        # Staff named on the episodes in scope (a subquery: no join over every episode, no DISTINCT).
        self.fields["therapist"].queryset = users.filter(pk__in=episodes.values("primary_therapist"))
        self.fields["case_manager"].queryset = users.filter(pk__in=episodes.values("case_manager"))

    def filters(self):
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if k not in self.errors and v}
