from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from attendance import rules
from clients.models import Episode
from programs.models import Site, Track


class Session(models.Model):
    """A scheduled or held session. Group sessions belong to a track and have a roster."""

    class Kind(models.TextChoices):
        GROUP = "group", "Group therapy"
        SKILLS = "skills", "Skills workshop"
        INDIVIDUAL = "individual", "Individual counseling"
        FAMILY = "family", "Family session"
        MEDICATION = "medication", "Medication management"
        CASE_MANAGEMENT = "case_management", "Case management"

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        HELD = "held", "Held"
        CANCELLED = "cancelled", "Cancelled"

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="sessions")
    track = models.ForeignKey(Track, on_delete=models.PROTECT, related_name="sessions", null=True, blank=True)
    date = models.DateField()
    start_time = models.TimeField()
    duration_minutes = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.GROUP)
    topic = models.CharField(max_length=200, blank=True)
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="facilitated_sessions", null=True, blank=True
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    group_note = models.TextField(blank=True, help_text="Written once; shown on every attendee's record.")
    note_signed_at = models.DateTimeField(null=True, blank=True)
    note_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    version = models.PositiveIntegerField(default=0, help_text="Bumped on every roster save (optimistic lock).")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-start_time"]
        constraints = [
            models.UniqueConstraint(fields=["site", "track", "date", "start_time", "kind"], name="session_unique_slot"),
            models.CheckConstraint(condition=Q(duration_minutes__gt=0), name="session_duration_positive"),
        ]
        indexes = [models.Index(fields=["site", "date"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.date:%Y-%m-%d} {self.start_time:%H:%M}"

    def get_absolute_url(self):
        return reverse("attendance:session", args=[self.pk])

    @property
    def is_signed(self):
        return self.note_signed_at is not None


class Attendance(models.Model):
    """One client's attendance at one session."""

    class Status(models.TextChoices):
        PRESENT = "present", "Present"
        LATE = "late", "Late"
        LEFT_EARLY = "left_early", "Left early"
        EXCUSED = "excused", "Excused absence"
        ABSENT = "absent", "Unexcused absence"
        CANCELLED = "cancelled", "Cancelled by program"

    ATTENDED = tuple(sorted(rules.ATTENDED))  # the attendance rules decide what "attended" means

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="attendance")
    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="attendance")
    status = models.CharField(max_length=12, choices=Status.choices)
    minutes_attended = models.PositiveSmallIntegerField(default=0)
    note = models.TextField(blank=True, help_text="Individual note for this client (optional).")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    recorded_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["session__date", "session__start_time"]
        constraints = [
            models.UniqueConstraint(fields=["session", "episode"], name="attendance_one_per_session_episode"),
            models.CheckConstraint(condition=Q(minutes_attended__gte=0), name="attendance_minutes_not_negative"),
        ]

    def __str__(self):
        return f"{self.episode.ref} at {self.session}: {self.get_status_display()}"

    def get_absolute_url(self):
        return reverse("attendance:client", args=[self.episode.client_id])


class SessionAddendum(models.Model):
    """A correction or addition to a signed session note."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="addenda")
    text = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at"]
        verbose_name_plural = "session addenda"

    def __str__(self):
        return f"Addendum to {self.session} by {self.author}"
