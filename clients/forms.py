import json
from decimal import Decimal

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone

from clients.models import Client, Episode
from clients.queries import possible_duplicates
from clients.services import admission_problem, birth_date_problem, episode_site_problems
from iop.forms import DateInput, StaffChoiceField
from programs.models import LevelOfCare, Site, Track
from programs.roles import CASE_MANAGER, THERAPIST
from programs.services import criteria_for_many


class TrackSelect(forms.Select):
    """Each option says its site (``data-site``), so the page can offer only the chosen
    site's tracks (static/js/episode_form.js); the form checks it again on submit."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-site"] = instance.site_id
        return option


def _helper():
    helper = FormHelper()
    helper.form_tag = False  # the <form>, CSRF token and buttons are in the template
    helper.disable_csrf = True
    return helper


def _staff_of(sites, role):
    return (
        get_user_model()
        .objects.filter(is_active=True, sites__in=sites, groups__name=role)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


class ClientForm(forms.ModelForm):
    """The client's profile (intake and edits)."""

    class Meta:
        model = Client
        fields = [
            "first_name",
            "last_name",
            "preferred_name",
            "date_of_birth",
            "pronouns",
            "phone",
            "email",
            "emergency_contact_name",
            "emergency_contact_phone",
            "referral_source",
            "primary_substance",
            "other_substances",
            "court_involved",
        ]
        widgets = {"date_of_birth": DateInput()}
        labels = {"court_involved": "Court-involved (probation, drug court, pending charges)"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()

    def clean_date_of_birth(self):
        dob = self.cleaned_data["date_of_birth"]
        problem = birth_date_problem(dob, timezone.localdate())
        if problem:
            raise forms.ValidationError(problem)
        return dob


class ClientEditForm(ClientForm):
    """A profile edit; ``version`` is the history row the form was opened on (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class IntakeClientForm(ClientForm):
    """The profile part of the intake form, with the duplicate check: a client the user can
    see with the same name and date of birth stops the intake until the user confirms this
    is a different person."""

    not_duplicate = forms.BooleanField(
        required=False,
        label="This is a different person with the same name and date of birth",
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.duplicates = []

    def clean(self):
        cleaned = super().clean()
        first, last, dob = (cleaned.get(k) for k in ("first_name", "last_name", "date_of_birth"))
        if first and last and dob:
            self.duplicates = possible_duplicates(self.user, first_name=first, last_name=last, date_of_birth=dob)
        if self.duplicates and not cleaned.get("not_duplicate"):
            self.fields["not_duplicate"].widget = forms.CheckboxInput()
            mrns = ", ".join(c.mrn for c in self.duplicates)
            self.add_error(
                None,
                f"Possible duplicate: a client with this name and date of birth is already on record "
                f"(MRN {mrns}). If it is the same person, open their record and readmit them; if not, "
                f"tick “This is a different person” and submit again.",
            )
        return cleaned


LEVEL_HOURS_FALLBACK = Decimal("9")


def _pk(value):
    return getattr(value, "pk", value)


class EpisodeForm(forms.ModelForm):
    """An episode being opened (intake or readmission) at one of the user's sites."""

    required_weekly_hours = forms.DecimalField(
        min_value=0,
        max_value=60,
        max_digits=4,
        decimal_places=1,
        required=False,
        label="Required weekly hours",
        help_text=(
            "Starts with the level of care's default at the site (its criteria). Left at that figure or "
            "empty, the default of the level and site chosen applies."
        ),
    )

    class Meta:
        model = Episode
        fields = [
            "site",
            "track",
            "level_of_care",
            "admitted_on",
            "primary_therapist",
            "case_manager",
            "required_weekly_hours",
        ]
        widgets = {"admitted_on": DateInput(), "track": TrackSelect()}
        field_classes = {"primary_therapist": StaffChoiceField, "case_manager": StaffChoiceField}

    def __init__(self, *args, user, client=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()
        self.client = client
        sites = Site.objects.for_user(user)
        self.fields["site"].queryset = sites
        self.fields["track"].queryset = Track.objects.for_user(user).filter(active=True).select_related("site")
        self.fields["track"].help_text = "A track of the site chosen above."
        self.fields["primary_therapist"].queryset = _staff_of(sites, THERAPIST)
        self.fields["case_manager"].queryset = _staff_of(sites, CASE_MANAGER)
        self.fields["admitted_on"].initial = timezone.localdate()
        if not self.is_bound and "site" not in self.initial and len(self.fields["site"].queryset) == 1:
            self.initial["site"] = self.fields["site"].queryset[0].pk
        # Each (site, level)'s default hours (one query): the figure prefilled, the one applied when
        # left as prefilled, and (data-level-hours) what the page's script fills in on a change.
        sites = list(self.fields["site"].queryset)
        self.level_hours = {
            (site_id, level): row.weekly_hours
            for (site_id, level), row in criteria_for_many(
                [(site.pk, level) for site in sites for level in LevelOfCare.values]
            ).items()
        }
        site_id = self.initial.get("site") or (sites[0].pk if len(sites) == 1 else None)
        level = self.initial.get("level_of_care") or LevelOfCare.IOP
        prefilled = self.level_hours.get((_pk(site_id), str(level)))
        # The hours start as the level's default unless given (a readmission copies the last episode's).
        self.hours_are_default = "required_weekly_hours" not in self.initial
        if prefilled is not None and self.hours_are_default:
            self.initial["required_weekly_hours"] = prefilled
        self.fields["required_weekly_hours"].widget.attrs["data-level-hours"] = json.dumps(
            {f"{site}:{lv}": f"{hours:g}" for (site, lv), hours in sorted(self.level_hours.items())}
        )

    def clean(self):
        cleaned = super().clean()
        problems = episode_site_problems(
            site=cleaned.get("site"),
            track=cleaned.get("track"),
            primary_therapist=cleaned.get("primary_therapist"),
            case_manager=cleaned.get("case_manager"),
        )
        admitted_on = cleaned.get("admitted_on")
        if admitted_on:
            previous_end = None
            if self.client is not None:
                ended = [e.ended_on for e in self.client.episodes.all() if e.ended_on]
                previous_end = max(ended) if ended else None
            problem = admission_problem(admitted_on, timezone.localdate(), previous_end=previous_end)
            if problem:
                problems["admitted_on"] = problem
        for field, message in problems.items():
            self.add_error(field, message)
        site, level = cleaned.get("site"), cleaned.get("level_of_care")
        left_as_prefilled = self.hours_are_default and "required_weekly_hours" not in self.changed_data
        if site and level and (cleaned.get("required_weekly_hours") is None or left_as_prefilled):
            cleaned["required_weekly_hours"] = self.level_hours.get((site.pk, level), LEVEL_HOURS_FALLBACK)
        elif cleaned.get("required_weekly_hours") is None:
            self.add_error("required_weekly_hours", "Give the required weekly hours.")
        return cleaned

    def service_fields(self):
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ClientFilterForm(forms.Form):
    """The client list's search and filters (GET). Invalid choices are shown as errors and ignored."""

    q = forms.CharField(required=False, label="Name or MRN", max_length=100)
    site = forms.ModelChoiceField(queryset=Site.objects.none(), required=False, empty_label="All sites")
    track = forms.ModelChoiceField(queryset=Track.objects.none(), required=False, empty_label="All tracks")
    status = forms.ChoiceField(choices=[("", "Any status"), *Episode.Status.choices], required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = Site.objects.for_user(user)
        self.fields["track"].queryset = Track.objects.for_user(user).select_related("site")

    def filters(self):
        if not self.is_valid():
            return {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
        return self.cleaned_data
