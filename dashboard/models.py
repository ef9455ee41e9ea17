from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from clients.models import Episode
from iop.validators import NOTE_MAX_LENGTH, validate_note_length


class Decision(models.Model):
    """A case manager's decision about an episode, with the markers as they stood (evidence)."""

    class Kind(models.TextChoices):
        CONTINUE = "continue", "Continue IOP"
        STEP_DOWN = "step_down", "Step down to outpatient"
        STEP_UP = "step_up", "Step up"
        GRADUATE = "graduate", "Graduate"
        DISCHARGE = "discharge", "Discharge"

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="decisions")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    decided_on = models.DateField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="decisions")
    rationale = models.TextField(max_length=NOTE_MAX_LENGTH, validators=[validate_note_length])
    evidence = models.JSONField(help_text="The markers and readiness as they stood when the decision was made.")
    is_override = models.BooleanField(default=False, help_text="Made against what the markers showed.")
    resulting_episode = models.ForeignKey(
        Episode,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The episode opened by the decision (e.g. the outpatient episode after a step-down).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-decided_on", "-created_at"]
        permissions = [("view_program_report", "Can view program reports (census, outcomes)")]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.episode.ref} on {self.decided_on}"
