from django import forms
from django.utils.http import urlencode

from audit.models import AccessEvent
from audit.queries import about_client, reviewers_choices
from clients.models import Client


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        name = obj.get_full_name()
        return f"{obj.username} ({name})" if name else obj.username


class EventFilterForm(forms.Form):
    """The review's filters. The MRN is typed into a POSTed form and the page is then shown by
    client id, so no MRN ever sits in a URL (or a server log)."""

    user = UserChoiceField(queryset=None, required=False, empty_label="Any user")
    mrn = forms.CharField(label="Client MRN", max_length=20, required=False)
    client = forms.ModelChoiceField(queryset=None, required=False, widget=forms.HiddenInput)
    action = forms.ChoiceField(required=False, choices=[("", "Any action"), *AccessEvent.Action.choices])
    date_from = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, reviewer, **kwargs):
        super().__init__(*args, **kwargs)
        self.reviewer = reviewer
        self.fields["user"].queryset = reviewers_choices(reviewer)
        self.fields["client"].queryset = Client.objects.for_user(reviewer)

    def clean_mrn(self):
        mrn = self.cleaned_data["mrn"].strip()
        if mrn and not Client.objects.for_user(self.reviewer).filter(mrn__iexact=mrn).exists():
            raise forms.ValidationError("No client with this MRN at your sites.")
        return mrn

    def clean(self):
        data = super().clean()
        if data.get("mrn"):
            data["client"] = Client.objects.for_user(self.reviewer).get(mrn__iexact=data["mrn"])
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end of the period is before its start.")
        return data

    def query(self):
        """The filters as URL parameters, by id (no MRN)."""
        data = self.cleaned_data
        params = {
            "user": data["user"].pk if data.get("user") else "",
            "client": data["client"].pk if data.get("client") else "",
            "action": data.get("action") or "",
            "date_from": data["date_from"].isoformat() if data.get("date_from") else "",
            "date_to": data["date_to"].isoformat() if data.get("date_to") else "",
        }
        return urlencode({k: v for k, v in params.items() if v})

    def apply(self, events):
        """``events`` narrowed by the valid filters (an invalid one is shown as an error, ignored)."""
        if not self.is_bound:
            return events
        self.is_valid()
        data = self.cleaned_data
        if data.get("user"):
            events = events.filter(user=data["user"])
        if data.get("client"):
            events = about_client(events, data["client"])
        if data.get("action"):
            events = events.filter(action=data["action"])
        if data.get("date_from"):
            events = events.filter(at__date__gte=data["date_from"])
        if data.get("date_to"):
            events = events.filter(at__date__lte=data["date_to"])
        return events
