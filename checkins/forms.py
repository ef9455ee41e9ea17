import copy

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Fieldset, Layout
from django import forms

from checkins import scoring
from checkins.models import CHECKIN_FIELDS, CheckIn
from iop.validators import NOTE_MAX_LENGTH

ANSWERS = [
    ("", "Not asked"),
    ("0", "0 – Not at all"),
    ("1", "1 – Several days"),
    ("2", "2 – More than half the days"),
    ("3", "3 – Nearly every day"),
]


def answer_label(answer):
    """ "2 – More than half the days" for an item answer; "" when not answered."""
    return "" if answer is None else dict(ANSWERS).get(str(answer), "")


PHQ9_QUESTIONS = (
    "Little interest or pleasure in doing things",
    "Feeling down, depressed, or hopeless",
    "Trouble falling or staying asleep, or sleeping too much",
    "Feeling tired or having little energy",
    "Poor appetite or overeating",
    "Feeling bad about yourself, or that you are a failure or have let yourself or your family down",
    "Trouble concentrating on things, such as reading the newspaper or watching television",
    "Moving or speaking so slowly that other people could have noticed, or being so fidgety or restless "
    "that you have been moving around a lot more than usual",
    "Thoughts that you would be better off dead, or of hurting yourself in some way",
)
GAD7_QUESTIONS = (
    "Feeling nervous, anxious, or on edge",
    "Not being able to stop or control worrying",
    "Worrying too much about different things",
    "Trouble relaxing",
    "Being so restless that it is hard to sit still",
    "Becoming easily annoyed or irritable",
    "Feeling afraid, as if something awful might happen",
)
MEASURES = (("phq9", PHQ9_QUESTIONS, "PHQ-9"), ("gad7", GAD7_QUESTIONS, "GAD-7"))


def _answer_field(number, question, measure):
    return forms.TypedChoiceField(
        label=f"{measure} {number}. {question}",
        choices=ANSWERS,
        coerce=int,
        empty_value=None,
        required=False,
        # A radio grid (one fieldset per item, arrow keys move between the answers): 16 clicks, not 16 dropdowns.
        widget=forms.RadioSelect(attrs={"data-measure": measure.lower().replace("-", ""), "class": "form-check-input"}),
    )


ITEM9_BANNER = (
    '<div id="item9-answer" role="alert" class="alert alert-danger{% if not form.item9_answer %} d-none{% endif %}">'
    "<strong>PHQ-9 item 9 (thoughts of death or of self-harm): "
    '<span id="item9-value">{{ form.item9_label }}</span>.</strong> '
    "Assess the risk before signing: choose a risk level above None, or tick “Assessed: no current risk” "
    "and write a safety note.</div>"
)


class CheckInForm(forms.ModelForm):
    """The weekly check-in draft. The view hands ``cleaned_fields()`` to ``checkin_save``."""

    cravings = forms.IntegerField(label="Cravings (0 none – 10 worst)", min_value=0, max_value=10, required=False)
    engagement = forms.IntegerField(label="Engagement (1 – 5)", min_value=1, max_value=5, required=False)
    mood = forms.IntegerField(label="Mood (1 – 5)", min_value=1, max_value=5, required=False)
    mutual_help_meetings = forms.IntegerField(
        label="Mutual-help meetings attended this week", min_value=0, max_value=50, initial=0, required=False
    )
    barriers = forms.MultipleChoiceField(
        choices=CheckIn.Barrier.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = CheckIn
        fields = [f for f in CHECKIN_FIELDS if f not in ("phq9_items", "gad7_items")]  # scores: own fields
        labels = {
            "risk": "Risk level",
            "suicidal_ideation": "Suicidal ideation",
            "homicidal_ideation": "Homicidal ideation",
            "overdose_risk": "Overdose risk",
            "no_current_risk": "Assessed: no current risk",
            "safety_note": "Safety note",
            "note": "Narrative note",
            "rationale": "Rationale for the recommendation",
        }
        widgets = {
            "note": forms.Textarea(attrs={"rows": 4}),
            "rationale": forms.Textarea(attrs={"rows": 2}),
            "safety_note": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "no_current_risk": "Tick only after asking about the thoughts PHQ-9 item 9 records, with risk “None”.",
            "safety_note": (
                f"Required to sign when PHQ-9 item 9 is above 0 and the risk is “None”: at least "
                f"{scoring.SAFETY_NOTE_MIN_CHARS} characters (what was asked, what the client said, the safety plan)."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance = copy.copy(self.instance)  # validation fills this copy; the caller's row is untouched
        for prefix, questions, label in MEASURES:
            saved = getattr(self.instance, f"{prefix}_items", None) or [None] * len(questions)
            for number, question in enumerate(questions, start=1):
                name = f"{prefix}_{number}"
                self.fields[name] = _answer_field(number, question, label)
                if self.instance.pk and saved[number - 1] is not None:
                    self.initial[name] = str(saved[number - 1])
        self.fields["version"].initial = self.instance.version if self.instance.pk else None  # None = new
        # No pre-filled choice: the therapist picks the risk level and the recommendation.
        for name, prompt in (("risk", "Choose a risk level…"), ("recommendation", "Choose a recommendation…")):
            self.fields[name].choices = [("", prompt), *self.fields[name].choices[1:]]
            self.fields[name].required = False  # a draft may leave them empty; signing needs them
        for name in ("note", "rationale", "safety_note"):
            self.fields[name].max_length = NOTE_MAX_LENGTH
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Fieldset(
                "Ratings",
                Div(
                    Div("cravings", css_class="col-md-4"),
                    Div("engagement", css_class="col-md-4"),
                    Div("mood", css_class="col-md-4"),
                    css_class="row",
                ),
            ),
            Fieldset(
                "Risk",
                HTML(ITEM9_BANNER),
                "risk",
                "no_current_risk",
                "safety_note",
                "suicidal_ideation",
                "homicidal_ideation",
                "overdose_risk",
            ),
            Fieldset("Recovery activities and barriers", "mutual_help_meetings", "barriers"),
            Fieldset("Note", "note"),
            Fieldset("Recommendation", "recommendation", "rationale"),
            HTML('{% include "checkins/_measure_grids.html" %}'),
            "version",
        )

    def clean(self):
        cleaned = super().clean()
        for prefix, questions, label in MEASURES:
            answers = [cleaned.get(f"{prefix}_{n}") for n in range(1, len(questions) + 1)]
            given = [a for a in answers if a is not None]
            if given and len(given) != len(answers):
                self.add_error(None, f"Answer all {len(answers)} {label} items, or none of them.")
            cleaned[f"{prefix}_items"] = answers if given else None
        if self.data.get("action") == "sign":
            self._check_signable(cleaned)
        return cleaned

    def _check_signable(self, cleaned):
        problems = scoring.signing_problems(
            risk=cleaned.get("risk"),
            recommendation=cleaned.get("recommendation"),
            phq9_items=cleaned.get("phq9_items"),
            no_current_risk=bool(cleaned.get("no_current_risk")),
            safety_note=cleaned.get("safety_note") or "",
        )
        for field, message in problems.items():
            if field not in self.errors:
                self.add_error(field, message)
        if problems:
            self.add_error(None, "Not signed: see the risk and recommendation fields below.")

    def measure_grids(self):
        """[(prefix, title, [(number, question, bound field)])] for the PHQ-9 and GAD-7 radio grids."""
        return [
            (prefix, label, [(n, q, self[f"{prefix}_{n}"]) for n, q in enumerate(questions, start=1)])
            for prefix, questions, label in MEASURES
        ]

    def item9_answer(self):
        """The PHQ-9 item 9 answer shown on the form (as submitted, else as saved), or None."""
        if self.is_bound:
            raw = self.data.get("phq9_9", "")
            return int(raw) if raw in ("0", "1", "2", "3") else None
        return scoring.phq9_item9_answer(self.instance.phq9_items)

    def item9_label(self):
        return answer_label(self.item9_answer())

    def cleaned_fields(self):
        """The values for ``checkin_save(fields=...)``."""
        data = self.cleaned_data
        fields = {name: data.get(name) for name in self.Meta.fields}
        fields["mutual_help_meetings"] = fields["mutual_help_meetings"] or 0
        fields["barriers"] = list(data.get("barriers") or [])
        fields["phq9_items"] = data.get("phq9_items")
        fields["gad7_items"] = data.get("gad7_items")
        return fields


class AddendumForm(forms.Form):
    text = forms.CharField(label="Addendum", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
