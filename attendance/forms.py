from django import forms
from django.utils import timezone

from attendance import rules
from attendance.models import Attendance, Session
from attendance.services import RosterEntry, session_problems
from attendance.telehealth import stored_modality
from iop.forms import person_label
from iop.validators import NOTE_MAX_LENGTH, session_date_problem
from programs.models import Site, Track

ROSTER_STATUSES = [c for c in Attendance.Status.choices if c[0] != Attendance.Status.CANCELLED]
UNMARKED = ("", "— choose —")  # nothing is pre-selected: an untouched roster documents no one
INDIVIDUAL_KINDS = [c for c in Session.Kind.choices if c[0] != Session.Kind.GROUP]


class SessionForm(forms.ModelForm):
    """Create a session (group, workshop, individual…) at one of the user's sites."""

    class Meta:
        model = Session
        fields = ["site", "track", "kind", "date", "start_time", "duration_minutes", "topic", "status", "modality"]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}),
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }
        labels = {"duration_minutes": "Duration (minutes)"}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = Site.objects.for_user(user)
        self.fields["track"].queryset = Track.objects.for_user(user).filter(active=True).select_related("site")
        self.fields["track"].help_text = "For group sessions: the track whose clients are on the roster."
        self.fields["date"].initial = timezone.localdate()
        self.fields["duration_minutes"].initial = 180
        self.fields["modality"].required = False  # telehealth: left out = in person

    def clean_modality(self):
        return self.cleaned_data.get("modality") or Session.Modality.IN_PERSON

    def clean(self):
        cleaned = super().clean()
        probe = Session(
            site=cleaned.get("site"),
            track=cleaned.get("track"),
            date=cleaned.get("date"),
            status=cleaned.get("status") or Session.Status.SCHEDULED,
        )
        for field, message in session_problems(probe, timezone.localdate()).items():
            self.add_error(field, message)
        return cleaned


class CoFacilitatorsField(forms.ModelMultipleChoiceField):
    """Staff of the session's site who led it with the facilitator (checkboxes, by name)."""

    def __init__(self, session):
        staff = session.site.staff.filter(is_active=True).order_by("last_name", "first_name", "username")
        if session.facilitator_id:
            staff = staff.exclude(pk=session.facilitator_id)
        super().__init__(
            queryset=staff,
            required=False,
            label="Co-facilitators",
            widget=forms.CheckboxSelectMultiple,
            help_text="Staff of the site who led the session with the facilitator.",
        )
        self.initial = [u.pk for u in session.co_facilitators.all()] if session.pk else []

    def label_from_instance(self, obj):
        return person_label(obj)


class RosterForm(forms.Form):
    """The whole roster of one session: a status, minutes and note per client, the group note
    and the session version seen (optimistic lock)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    group_note = forms.CharField(
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Written once; shown read-only on every attendee's record.",
    )

    def __init__(self, *args, session, episodes, existing, **kwargs):
        super().__init__(*args, **kwargs)
        self.session, self.episodes = session, episodes
        duration = session.duration_minutes
        self.fields["version"].initial = session.version
        self.fields["group_note"].initial = session.group_note
        self.fields["co_facilitators"] = CoFacilitatorsField(session)
        self.rows = []
        for episode in episodes:
            row = existing.get(episode.pk)
            name = episode.client.full_name
            pk = episode.pk
            self.fields[f"status_{pk}"] = forms.ChoiceField(
                choices=[UNMARKED, *ROSTER_STATUSES],
                required=False,
                initial=row.status if row else "",
                label=f"Status for {name}",
                widget=forms.Select(attrs={"class": "form-select form-select-sm roster-status"}),
            )
            self.fields[f"minutes_{pk}"] = forms.IntegerField(
                required=False,
                initial=row.minutes_attended if row else None,
                label=f"Minutes attended by {name}",
                widget=forms.NumberInput(
                    attrs={
                        "class": "form-control form-control-sm roster-minutes",
                        "placeholder": duration,
                        "min": 0,
                        "max": duration,
                    }
                ),
            )
            self.fields[f"note_{pk}"] = forms.CharField(
                required=False,
                max_length=NOTE_MAX_LENGTH,
                initial=row.note if row else "",
                label=f"Individual note for {name}",
                widget=forms.Textarea(attrs={"class": "form-control form-control-sm", "rows": 1}),
            )
            self.fields[f"modality_{pk}"] = forms.ChoiceField(
                choices=Session.Modality.choices,
                required=False,
                initial=row.effective_modality if row else session.modality,
                label=f"How {name} took part",
                widget=forms.Select(attrs={"class": "form-select form-select-sm roster-modality"}),
            )
            episode.roster_modality = self[f"modality_{pk}"]  # telehealth: shown in the status cell
            self.rows.append((episode, row, self[f"status_{pk}"], self[f"minutes_{pk}"], self[f"note_{pk}"]))

    def clean(self):
        cleaned = super().clean()
        for episode in self.episodes:
            status_key, minutes_key = f"status_{episode.pk}", f"minutes_{episode.pk}"
            status = cleaned.get(status_key)
            if status == "":
                self.add_error(status_key, f"Choose a status for {episode.client.full_name}.")
                continue
            if status is None or minutes_key in self.errors:
                continue
            problem = rules.minutes_problem(status, self.session.duration_minutes, cleaned.get(minutes_key))
            if problem:
                self.add_error(minutes_key, problem)
        return cleaned

    def row_errors(self):
        """Every row's problems, for the summary above the roster."""
        return [e for name, errors in self.errors.items() if name != "__all__" for e in errors]

    def entries(self):
        data = self.cleaned_data
        return [
            RosterEntry(
                episode=e,
                status=data[f"status_{e.pk}"],
                minutes=data[f"minutes_{e.pk}"],
                note=data[f"note_{e.pk}"].strip(),
                modality=stored_modality(data.get(f"modality_{e.pk}"), self.session.modality),
            )
            for e in self.episodes
        ]


class SessionCancelForm(forms.Form):
    reason = forms.CharField(
        label="Reason for cancelling",
        max_length=500,
        help_text="Shown on the session; a cancelled session counts for no one.",
        widget=forms.TextInput(attrs={"placeholder": "e.g. facilitator ill, building closed"}),
    )


class SessionTopicForm(forms.Form):
    topic = forms.CharField(label="Topic", max_length=200, error_messages={"required": "Write the topic."})


class AddendumForm(forms.Form):
    text = forms.CharField(label="Addendum", max_length=NOTE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3}))


class IndividualSessionForm(forms.Form):
    """An individual (non-group) session logged from the client's attendance tab."""

    kind = forms.ChoiceField(choices=INDIVIDUAL_KINDS, initial=Session.Kind.INDIVIDUAL)
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    duration_minutes = forms.IntegerField(label="Duration (minutes)", min_value=1, max_value=600, initial=60)
    status = forms.ChoiceField(choices=ROSTER_STATUSES, initial=Attendance.Status.PRESENT)
    minutes = forms.IntegerField(
        label="Minutes attended", required=False, min_value=0, help_text="Leave blank when present the whole time."
    )
    modality = forms.ChoiceField(choices=Session.Modality.choices, initial=Session.Modality.IN_PERSON, required=False)
    topic = forms.CharField(max_length=200, required=False)
    note = forms.CharField(
        label="Note", required=False, max_length=NOTE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()

    def clean(self):
        cleaned = super().clean()
        status, duration = cleaned.get("status"), cleaned.get("duration_minutes")
        if status and duration and "minutes" not in self.errors:
            problem = rules.minutes_problem(status, duration, cleaned.get("minutes"))
            if problem:
                self.add_error("minutes", problem)
        day = cleaned.get("date")
        if day and day > timezone.localdate():
            self.add_error("date", "Attendance cannot be recorded for a future date.")
        elif day and session_date_problem(day, timezone.localdate()):
            self.add_error("date", session_date_problem(day, timezone.localdate()))
        return cleaned
