"""The form of an attendance correction (one attendee of a signed session)."""

from django import forms

from attendance.forms import ROSTER_STATUSES, UNMARKED


class AttendanceCorrectionForm(forms.Form):
    """Correct one attendee's status and minutes after the session was signed, with a reason.

    ``seen`` is the latest correction the page showed (0: none), so a correction saved by
    someone else meanwhile is detected (StaleEdit), never silently superseded."""

    attendance = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    seen = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)
    status = forms.ChoiceField(
        label="Corrected status",
        choices=[UNMARKED, *ROSTER_STATUSES],
        error_messages={"required": "Choose the corrected status."},
    )
    minutes = forms.IntegerField(
        label="Corrected minutes attended",
        required=False,
        min_value=0,
        max_value=1440,
        help_text="Leave blank: the whole session when present, 0 for an absence.",
    )
    reason = forms.CharField(
        label="Reason for the correction",
        max_length=500,
        error_messages={"required": "Say why the attendance is corrected."},
        widget=forms.TextInput(attrs={"placeholder": "e.g. marked absent in error: signed in late"}),
    )

    @classmethod
    def for_row(cls, row, data=None):
        """The form of one attendee's row: its own ids, the latest correction seen."""
        latest = row.correction_lines[-1][0].pk if row.correction_lines else 0
        return cls(data, auto_id=f"id_correct_{row.pk}_%s", initial={"attendance": row.pk, "seen": latest})
