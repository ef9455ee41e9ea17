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


class MarkerSnapshot(models.Model):
    """A cache of ``dashboard.markers.evaluate`` for one episode as of one day (DESIGN.md
    "Markers" point 4), with the columns the caseload sorts and filters on in SQL. Written only by
    ``dashboard.snapshots``; current while ``as_of`` is today and ``inputs_version`` is the
    episode's (every write service bumps the episode's through ``clients.services``)."""

    episode = models.OneToOneField(Episode, on_delete=models.CASCADE, related_name="marker_snapshot")
    as_of = models.DateField()
    inputs_version = models.PositiveIntegerField()
    computed_at = models.DateTimeField()
    evaluation = models.JSONField(help_text="Evaluation.as_dict(), exactly.")
    shown = models.JSONField(default=dict, help_text="The markers shown beside the contract's (not in the JSON).")
    step_down_status = models.CharField(max_length=20)  # "not_applicable": nothing lower than outpatient
    graduation_status = models.CharField(max_length=12)
    weeks_in_program = models.IntegerField()
    attendance_rate_4w = models.FloatField(null=True)
    hours_last_week = models.FloatField(null=True)
    negative_streak = models.IntegerField()
    negative_streak_days = models.IntegerField(null=True)
    last_screen_on = models.DateField(null=True)
    goals_on_track = models.FloatField(null=True)
    latest_recommendation = models.CharField(max_length=20, blank=True)
    flag_count = models.IntegerField()
    flag_absences = models.BooleanField()
    flag_unexpected_positive = models.BooleanField()
    flag_missed_screen = models.BooleanField()
    flag_screen_overdue = models.BooleanField()
    flag_checkin_overdue = models.BooleanField()
    flag_risk = models.BooleanField()
    flag_hours_short = models.BooleanField()

    class Meta:
        indexes = [models.Index(fields=["as_of", "step_down_status"])]

    def __str__(self):
        return f"Markers of {self.episode_id} as of {self.as_of}"


class HistorySnapshot(models.Model):
    """A cache of ``dashboard.history.episode_history`` (the Progress tab's charts and tables) for
    one active episode as of one day, as JSON. Written only by ``dashboard.snapshots``; current
    while ``as_of`` is today, ``inputs_version`` is the episode's and ``format`` is the code's
    (``dashboard.history.HISTORY_FORMAT``). Kept apart from ``MarkerSnapshot`` so the caseload,
    which reads that table fifty rows at a time, never loads a history."""

    episode = models.OneToOneField(Episode, on_delete=models.CASCADE, primary_key=True, related_name="+")
    as_of = models.DateField()
    inputs_version = models.PositiveIntegerField()
    document = models.JSONField(help_text="episode_history's output, dates as ISO text (history_document).")

    def __str__(self):
        return f"History of {self.episode_id} as of {self.as_of}"
