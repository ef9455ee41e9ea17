"""Forms of the Screens tab: fast entry of a screen, a refusal or missed screen, the lab's answer,
and prescriptions. The services do the real validation; forms parse and show field errors."""

from django import forms
from django.utils import timezone

from iop.forms import DateInput
from iop.validators import NOTE_MAX_LENGTH
from screening.interpretation import sent_to_lab_by_default
from screening.models import Analyte, Prescription, Screen, ScreenResult

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def _now_local():
    return timezone.localtime().replace(second=0, microsecond=0)


class CollectedAtField(forms.DateTimeField):
    def __init__(self, **kwargs):
        super().__init__(
            label="Collected at",
            input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M"],
            widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT),
            **kwargs,
        )


class ScreenEntryForm(forms.Form):
    """A completed screen: the panel's analytes as one row of negative/positive toggles, all
    negative by default, so a negative cup is saved with one click. Validity is optional."""

    RESULT_CHOICES = [(v, label) for v, label in ScreenResult.Result.choices]

    collected_at = CollectedAtField()
    method = forms.ChoiceField(choices=Screen.Method.choices, initial=Screen.Method.POC)
    observed = forms.BooleanField(required=False, initial=True, label="Observed collection")
    temperature_c = forms.DecimalField(
        label="Temperature (°C)", required=False, max_digits=4, decimal_places=1, help_text="Acceptable 32–38 °C."
    )
    temperature_in_range = forms.NullBooleanField(
        label="Temperature in range (32–38 °C within 4 minutes)",
        required=False,
        widget=forms.Select(choices=[("unknown", "Not recorded"), ("true", "Yes"), ("false", "No")]),
    )
    creatinine_mg_dl = forms.DecimalField(label="Creatinine (mg/dL)", required=False, max_digits=6, decimal_places=2)
    specific_gravity = forms.DecimalField(label="Specific gravity", required=False, max_digits=5, decimal_places=4)
    ph = forms.DecimalField(label="pH", required=False, max_digits=4, decimal_places=2)
    nitrite_ug_ml = forms.DecimalField(label="Nitrite (µg/mL)", required=False, max_digits=7, decimal_places=1)
    adulterant_noted = forms.BooleanField(required=False, label="Adulterant or foreign substance noted")
    notes = forms.CharField(required=False, max_length=NOTE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2}))

    VALIDITY_FIELDS = (
        "temperature_c",
        "temperature_in_range",
        "creatinine_mg_dl",
        "specific_gravity",
        "ph",
        "nitrite_ug_ml",
        "adulterant_noted",
    )

    def __init__(self, *args, panel, explained=frozenset(), **kwargs):
        """``explained``: codes of the analytes an active prescription explains today; their
        positives are expected and not sent to the lab by default (interpretation rules)."""
        super().__init__(*args, **kwargs)
        self.panel = panel
        self.analytes = list(panel.analytes.all()) if panel else []
        self.explained = frozenset(explained)
        if not self.is_bound:
            self.initial.setdefault("collected_at", _now_local())
        for analyte in self.analytes:
            self.fields[f"result_{analyte.pk}"] = forms.ChoiceField(
                label=f"{analyte.code} ({analyte.name})",
                choices=self.RESULT_CHOICES,
                initial=ScreenResult.Result.NEGATIVE,
                widget=forms.RadioSelect,
            )
            self.fields[f"send_{analyte.pk}"] = forms.BooleanField(
                label=f"Send {analyte.code} to the lab",
                required=False,
                initial=self.sends_by_default(analyte, ScreenResult.Result.POSITIVE),
                widget=forms.CheckboxInput(
                    attrs={
                        "class": "form-check-input send-toggle",
                        "data-default": "1" if self.sends_by_default(analyte, ScreenResult.Result.POSITIVE) else "0",
                    }
                ),
            )
            self.fields[f"level_{analyte.pk}"] = forms.DecimalField(
                label=f"{analyte.code} level (ng/mL)", required=False, max_digits=9, decimal_places=2
            )

    def sends_by_default(self, analyte, result):
        return sent_to_lab_by_default(result, analyte.code, self.explained)

    def analyte_rows(self):
        """(analyte, result bound field, level bound field, send bound field) for the template."""
        return [(a, self[f"result_{a.pk}"], self[f"level_{a.pk}"], self[f"send_{a.pk}"]) for a in self.analytes]

    def validity_fields(self):
        return [self[name] for name in self.VALIDITY_FIELDS]

    def service_kwargs(self):
        data = self.cleaned_data
        results = {
            a.pk: data[f"result_{a.pk}"]
            for a in self.analytes
            if data.get(f"result_{a.pk}") and data[f"result_{a.pk}"] != ScreenResult.Result.NEGATIVE
        }
        levels = {a.pk: data[f"level_{a.pk}"] for a in self.analytes if data.get(f"level_{a.pk}") is not None}
        validity = {name: data.get(name) for name in self.VALIDITY_FIELDS if name != "adulterant_noted"}
        validity = {k: v for k, v in validity.items() if v is not None}
        validity["adulterant_noted"] = bool(data.get("adulterant_noted"))
        return {
            "collected_at": data["collected_at"],
            "panel": self.panel,
            "method": data["method"],
            "observed": data["observed"],
            "results": results,
            "levels": levels,
            "send_analyte_ids": {a.pk for a in self.analytes if data.get(f"send_{a.pk}")},
            "validity": validity,
            "notes": data.get("notes", ""),
        }


class NoResultForm(forms.Form):
    """A refused or missed screen: the button pressed (``outcome``) gives the outcome, plus a reason."""

    prefix = "noresult"
    OUTCOMES = (Screen.Outcome.REFUSED, Screen.Outcome.MISSED)

    collected_at = CollectedAtField()
    reason = forms.CharField(label="Reason (refused or missed)", max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("collected_at", _now_local())


class ConfirmationForm(forms.Form):
    confirmation = forms.ChoiceField(
        choices=[
            (ScreenResult.Confirmation.CONFIRMED_POSITIVE, "Confirmed positive"),
            (ScreenResult.Confirmation.CONFIRMED_NEGATIVE, "Confirmed negative"),
        ]
    )
    confirmed_on = forms.DateField(label="Lab result date", required=False, widget=DateInput())
    seen = forms.ChoiceField(choices=ScreenResult.Confirmation.choices, required=False)


class PrescriptionForm(forms.ModelForm):
    class Meta:
        model = Prescription
        fields = ["medication", "analyte", "start", "end", "prescriber"]
        labels = {"analyte": "Explains a positive for"}
        widgets = {"start": DateInput(), "end": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["analyte"].queryset = Analyte.objects.filter(active=True)


class PrescriptionEndForm(forms.Form):
    end = forms.DateField(label="End date", widget=DateInput())


class ScreenErrorForm(forms.Form):
    """Why a screen is marked entered in error (a CharField: no NUL, no 100 KB reason)."""

    reason = forms.CharField(max_length=200, error_messages={"required": "Say why the screen was entered in error."})
