import datetime as dt

from django import forms
from django.utils import timezone

from consents import rules as consent_rules
from consents.models import Disclosure
from dashboard.models import Decision
from iop.forms import DateInput
from letters.models import LetterKind

# What each kind of letter must release (besides what the case manager adds).
REQUIRED = {
    LetterKind.ATTENDANCE: {consent_rules.ATTENDANCE},
    LetterKind.PROGRESS: set(),
    LetterKind.COMPLETION: {consent_rules.LEVEL_OF_CARE},
}
COMPLETION_DECISIONS = (Decision.Kind.GRADUATE, Decision.Kind.STEP_DOWN, Decision.Kind.DISCHARGE)


class LetterForm(forms.Form):
    kind = forms.ChoiceField(choices=LetterKind.choices, label="Letter")
    period_start = forms.DateField(widget=DateInput(), label="Period from")
    period_end = forms.DateField(widget=DateInput(), label="to")
    categories = forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple, label="Include")
    decision = forms.ModelChoiceField(
        queryset=Decision.objects.none(), required=False, label="Decision (completion letters)"
    )
    method = forms.ChoiceField(choices=Disclosure.Method.choices, label="Sent by")

    def __init__(self, *args, consent, episodes, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = consent_rules.covered(consent.categories)
        # Only what the consent covers can even be offered.
        self.fields["categories"].choices = [
            (c, label) for c, label in consent_rules.CATEGORY_LABELS.items() if c in allowed
        ]
        self.fields["decision"].queryset = Decision.objects.filter(
            episode__in=episodes, kind__in=COMPLETION_DECISIONS
        ).order_by("-decided_on")
        self.fields["decision"].label_from_instance = lambda d: f"{d.get_kind_display()} on {d.decided_on:%m/%d/%Y}"

    def clean(self):
        data = super().clean()
        start, end, kind = data.get("period_start"), data.get("period_end"), data.get("kind")
        today = timezone.localdate()
        if start and end:
            if start > end:
                self.add_error("period_end", "The period ends before it starts.")
            elif end > today:
                self.add_error("period_end", "The period cannot end after today.")
            elif (end - start) > dt.timedelta(days=366 * 3):
                self.add_error("period_start", "A letter covers at most 3 years.")
        chosen = set(data.get("categories") or ())
        missing = REQUIRED.get(kind, set()) - chosen
        if kind and missing and "categories" in data:
            names = ", ".join(consent_rules.CATEGORY_LABELS[c].lower() for c in sorted(missing))
            self.add_error("categories", f"This letter needs: {names}.")
        if kind == LetterKind.COMPLETION and not data.get("decision"):
            self.add_error("decision", "Choose the decision this letter reports.")
        return data
