from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from clients.models import Episode
from iop.validators import NOTE_MAX_LENGTH, validate_note_length


class Goal(models.Model):
    """A treatment-plan goal of an episode. Revisions are kept in history, never overwritten silently."""

    class Area(models.TextChoices):
        SUBSTANCE_USE = "substance_use", "Substance use"
        MENTAL_HEALTH = "mental_health", "Mental health"
        PHYSICAL_HEALTH = "physical_health", "Physical health"
        FAMILY = "family", "Family / relationships"
        EMPLOYMENT_EDUCATION = "employment_education", "Employment / education"
        LEGAL = "legal", "Legal"
        HOUSING = "housing", "Housing"
        RECOVERY_SUPPORT = "recovery_support", "Recovery support"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        ACHIEVED = "achieved", "Achieved"
        REVISED = "revised", "Revised"
        DISCONTINUED = "discontinued", "Discontinued"

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="goals")
    ref = models.CharField(max_length=20, help_text="Short reference, unique in the episode (e.g. G1).")
    area = models.CharField(max_length=30, choices=Area.choices)
    statement = models.CharField(max_length=300, help_text="In the client's own words.")
    objective = models.CharField(max_length=300, blank=True, help_text="Measurable objective.")
    target_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=15, choices=Status.choices, default=Status.ACTIVE)
    revises = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="revisions")
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["episode", "ref"]
        constraints = [models.UniqueConstraint(fields=["episode", "ref"], name="goal_unique_ref_per_episode")]

    def __str__(self):
        return f"{self.ref}: {self.statement}"


class Worksheet(models.Model):
    """The weekly goal-tracking worksheet: one per episode per week (week = its Monday)."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="worksheets")
    week = models.DateField(help_text="The Monday that starts the week.")
    reflection = models.TextField(
        blank=True,
        max_length=NOTE_MAX_LENGTH,
        validators=[validate_note_length],
        help_text="The client's overall reflection on the week.",
    )
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-week"]
        constraints = [models.UniqueConstraint(fields=["episode", "week"], name="worksheet_one_per_week")]

    def __str__(self):
        return f"Worksheet {self.episode.ref} week of {self.week}"


class GoalRating(models.Model):
    RATING_LABELS = {0: "None", 1: "Minimal", 2: "Some", 3: "Good", 4: "Achieved"}

    worksheet = models.ForeignKey(Worksheet, on_delete=models.PROTECT, related_name="ratings")
    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="ratings")
    rating = models.PositiveSmallIntegerField(validators=[MaxValueValidator(4)])
    reflection = models.CharField(max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["worksheet", "goal"], name="goalrating_one_per_goal"),
            models.CheckConstraint(condition=Q(rating__gte=0) & Q(rating__lte=4), name="goalrating_0_to_4"),
        ]

    def __str__(self):
        return f"{self.goal.ref}: {self.rating}"

    @property
    def rating_label(self):
        return self.RATING_LABELS.get(self.rating, "")
