"""Forms of the schedules (issue 15): schedule a session for a client, reschedule it, and the
week view's filters."""

from django import forms
from django.utils import timezone

from attendance.models import Session
from attendance.scheduling import SCHEDULABLE_KINDS, clinicians_of
from iop.forms import StaffChoiceField

KIND_CHOICES = [c for c in Session.Kind.choices if c[0] in SCHEDULABLE_KINDS]
DATE = forms.DateInput(attrs={"type": "date"})
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class ScheduleForm(forms.Form):
    """Schedule an individual, family, medication or case-management session for one client."""

    kind = forms.ChoiceField(choices=KIND_CHOICES, initial=Session.Kind.INDIVIDUAL, label="Session")
    date = forms.DateField(widget=DATE)
    start_time = forms.TimeField(label="Time", widget=TIME)
    duration_minutes = forms.IntegerField(label="Length (minutes)", min_value=5, max_value=600, initial=60)
    modality = forms.ChoiceField(choices=Session.Modality.choices, initial=Session.Modality.IN_PERSON)
    clinician = StaffChoiceField(queryset=None, help_text="A staff member of the client's site.")
    topic = forms.CharField(max_length=200, required=False)

    def __init__(self, *args, site, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clinician"].queryset = clinicians_of(site)
        self.fields["date"].initial = timezone.localdate()
        if user is not None:  # oneself by default (no choice shown when not staff of the site)
            self.fields["clinician"].initial = user.pk


class RescheduleForm(forms.Form):
    """Move a scheduled session: date, time, clinician (and length, modality)."""

    date = forms.DateField(widget=DATE)
    start_time = forms.TimeField(label="Time", widget=TIME)
    clinician = StaffChoiceField(queryset=None)
    duration_minutes = forms.IntegerField(label="Length (minutes)", min_value=5, max_value=600)
    modality = forms.ChoiceField(choices=Session.Modality.choices)

    def __init__(self, *args, session, **kwargs):
        initial = {
            "date": session.date,
            "start_time": session.start_time,
            "clinician": session.facilitator_id,
            "duration_minutes": session.duration_minutes,
            "modality": session.modality,
        }
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["clinician"].queryset = clinicians_of(session.site)


class WeekFilterForm(forms.Form):
    """The week view's choices (GET): the week (any day of it), the site, the clinician."""

    week = forms.DateField(required=False, widget=DATE, label="Week of")
    site = forms.ModelChoiceField(queryset=None, required=False, empty_label="All my sites")
    clinician = StaffChoiceField(queryset=None, required=False, empty_label="All clinicians")

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        staff = Session._meta.get_field("facilitator").related_model.objects
        self.fields["clinician"].queryset = (
            staff.filter(sites__in=sites, is_active=True).distinct().order_by("last_name", "first_name", "username")
        )
