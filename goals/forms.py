from django import forms

from goals.models import Goal, GoalRating
from iop.validators import NOTE_MAX_LENGTH

RATING_CHOICES = [("", "Choose a rating")] + [(n, f"{n} – {label}") for n, label in GoalRating.RATING_LABELS.items()]
RATING_ERRORS = {
    "required": "Rate this goal from 0 to 4.",
    "invalid_choice": "A rating must be from 0 (none) to 4 (achieved).",
}


class GoalForm(forms.ModelForm):
    """Add a goal, or revise one (the form then starts from the old wording)."""

    class Meta:
        model = Goal
        fields = ["area", "statement", "objective", "target_date"]
        labels = {"area": "Life area", "statement": "Goal in the client's own words"}
        widgets = {
            "target_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "statement": forms.Textarea(attrs={"rows": 2}),
            "objective": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["objective"].required = True
        self.fields["objective"].help_text = "How you will both know it is met (e.g. 'attends 2 meetings a week')."


class GoalStatusForm(forms.Form):
    status = forms.ChoiceField(choices=[(Goal.Status.ACHIEVED, "Achieved"), (Goal.Status.DISCONTINUED, "Discontinued")])


class WeekForm(forms.Form):
    week = forms.DateField(label="Week starting (Monday)", widget=forms.DateInput(attrs={"type": "date"}))


class WorksheetForm(forms.Form):
    """One rating (0–4) and a short reflection per goal, plus the overall reflection.

    ``goals`` decides the fields: ``rating_<pk>`` and ``note_<pk>``. ``version`` carries the
    version the user opened (blank for a new worksheet) for the optimistic lock.
    """

    version = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    reflection = forms.CharField(
        label="Client's overall reflection on the week",
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, goals, **kwargs):
        super().__init__(*args, **kwargs)
        self.goals = goals
        for goal in goals:
            self.fields[f"rating_{goal.pk}"] = forms.TypedChoiceField(
                label=f"{goal.ref} rating",
                choices=RATING_CHOICES,
                coerce=int,
                required=goal.status == Goal.Status.ACTIVE,
                empty_value=None,
                error_messages=RATING_ERRORS,
            )
            self.fields[f"note_{goal.pk}"] = forms.CharField(
                label=f"{goal.ref} reflection", required=False, max_length=500
            )

    def goal_fields(self):
        """(goal, rating bound field, note bound field) for the template."""
        return [(g, self[f"rating_{g.pk}"], self[f"note_{g.pk}"]) for g in self.goals]

    def ratings(self):
        """{goal_id: (rating, reflection)} from cleaned data (goals left unrated are skipped)."""
        data = self.cleaned_data
        return {
            g.pk: (data[f"rating_{g.pk}"], data[f"note_{g.pk}"])
            for g in self.goals
            if data.get(f"rating_{g.pk}") is not None
        }

    @staticmethod
    def initial_for(worksheet):
        """Initial values from a saved worksheet (ratings and notes per goal)."""
        initial = {"version": worksheet.version, "reflection": worksheet.reflection}
        for r in worksheet.rating_rows:
            initial[f"rating_{r.goal_id}"] = r.rating
            initial[f"note_{r.goal_id}"] = r.reflection
        return initial
