from django import forms

from aftercare.models import AftercarePlan, FollowUp
from aftercare.services import FOLLOWUP_FIELDS, PLAN_FIELDS
from iop.forms import DateInput
from programs.models import Track


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class PlanForm(forms.ModelForm):
    """The aftercare plan; ``version`` is the one the form was opened with (optimistic lock)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = AftercarePlan
        fields = PLAN_FIELDS
        widgets = {
            "next_appointment_at": DateTimeInput(),
            "recovery_supports": forms.Textarea(attrs={"rows": 3}),
            "crisis_plan": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, episode, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.episode = episode
        tracks = Track.objects.filter(site=episode.site_id, active=True, continuing_care=True)
        if self.instance.continuing_care_track_id:
            tracks = tracks | Track.objects.filter(pk=self.instance.continuing_care_track_id)
        self.fields["continuing_care_track"].queryset = tracks
        self.fields["continuing_care_track"].empty_label = "None"
        self.fields["version"].initial = self.instance.version if self.instance.pk else None

    def fields_data(self):
        return {name: self.cleaned_data[name] for name in PLAN_FIELDS}


class FollowUpForm(forms.ModelForm):
    """A logged contact: attempts so far and, when reached, the client's answers."""

    reached = forms.TypedChoiceField(
        choices=[("yes", "Yes, reached"), ("no", "Not reached")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        label="Client reached",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = FollowUp
        fields = FOLLOWUP_FIELDS
        widgets = {"contacted_on": DateInput(), "needs": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attempts"].min_value = 1
        self.fields["contacted_on"].required = True
        self.fields["version"].initial = self.instance.version
        if self.instance.reached is not None:
            self.initial["reached"] = "yes" if self.instance.reached else "no"

    def fields_data(self):
        return {name: self.cleaned_data[name] for name in FOLLOWUP_FIELDS}
