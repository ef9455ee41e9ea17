import datetime as dt

from django import forms
from django.utils import timezone

from clients.models import Episode
from dashboard.models import Decision
from dashboard.services import DISCHARGE_REASONS, OVERRIDE_RATIONALE_MIN
from iop.validators import NOTE_MAX_LENGTH
from programs.models import Site

MAX_REPORT_DAYS = 366 * 5


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


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
        return cleaned
