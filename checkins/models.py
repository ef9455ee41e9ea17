from django.conf import settings
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from clients.models import Episode
from iop import integrity
from iop import triggers as db_triggers
from iop.models import CoSignature
from iop.validators import NOTE_MAX_LENGTH, validate_note_length

# The fields a therapist fills in (everything but episode, week, author, signing and version).
CHECKIN_FIELDS = (
    "cravings",
    "engagement",
    "mood",
    "risk",
    "suicidal_ideation",
    "homicidal_ideation",
    "overdose_risk",
    "no_current_risk",
    "safety_note",
    "mutual_help_meetings",
    "barriers",
    "note",
    "recommendation",
    "rationale",
    "phq9_items",
    "gad7_items",
)


class CheckIn(CoSignature):
    """The weekly therapist check-in. Signing locks it; later changes are addenda only."""

    class Risk(models.TextChoices):
        NONE = "none", "None"
        LOW = "low", "Low"
        MODERATE = "moderate", "Moderate"
        HIGH = "high", "High"

    class Recommendation(models.TextChoices):
        CONTINUE = "continue", "Continue IOP"
        STEP_DOWN = "step_down", "Step down to outpatient"
        STEP_UP = "step_up", "Step up"
        GRADUATE = "graduate", "Ready to graduate"
        DISCHARGE = "discharge", "Discharge"

    class Barrier(models.TextChoices):
        TRANSPORTATION = "transportation", "Transportation"
        CHILDCARE = "childcare", "Childcare"
        FINANCES = "finances", "Finances"
        WORK_SCHEDULE = "work_schedule", "Work schedule"
        HOUSING = "housing", "Housing"
        LEGAL = "legal", "Legal"
        OTHER = "other", "Other"

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="checkins")
    week = models.DateField(help_text="The Monday that starts the week.")
    cravings = models.PositiveSmallIntegerField(null=True, blank=True, help_text="0 (none) – 10 (worst).")
    engagement = models.PositiveSmallIntegerField(null=True, blank=True, help_text="1 – 5.")
    mood = models.PositiveSmallIntegerField(null=True, blank=True, help_text="1 – 5.")
    # No default: a signed check-in records the therapist's own choice (empty on a draft).
    risk = models.CharField(max_length=10, choices=Risk.choices, blank=True, default="")
    suicidal_ideation = models.BooleanField(default=False)
    homicidal_ideation = models.BooleanField(default=False)
    overdose_risk = models.BooleanField(default=False)
    no_current_risk = models.BooleanField(
        default=False, help_text="Risk assessed (e.g. after PHQ-9 item 9 > 0) and no current risk found."
    )
    safety_note = models.TextField(
        blank=True, max_length=NOTE_MAX_LENGTH, validators=[validate_note_length], help_text="The safety assessment."
    )
    mutual_help_meetings = models.PositiveSmallIntegerField(default=0, help_text="Meetings attended this week.")
    barriers = models.JSONField(default=list, blank=True)
    note = models.TextField(blank=True, max_length=NOTE_MAX_LENGTH, validators=[validate_note_length])
    recommendation = models.CharField(max_length=10, choices=Recommendation.choices, blank=True, default="")
    rationale = models.TextField(blank=True, max_length=NOTE_MAX_LENGTH, validators=[validate_note_length])
    phq9_items = models.JSONField(null=True, blank=True, help_text="Nine answers 0–3, or empty.")
    gad7_items = models.JSONField(null=True, blank=True, help_text="Seven answers 0–3, or empty.")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="checkins")
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signature_sha256 = models.CharField(
        "SHA-256 of the signed content", max_length=64, blank=True, editable=False, help_text="Set by signing."
    )
    version = models.PositiveIntegerField(default=0, help_text="Bumped on every save of the draft (optimistic lock).")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-week"]
        constraints = [
            models.UniqueConstraint(fields=["episode", "week"], name="checkin_one_per_week"),
            models.CheckConstraint(
                condition=Q(cravings__isnull=True) | Q(cravings__lte=10), name="checkin_cravings_0_10"
            ),
            models.CheckConstraint(
                condition=Q(engagement__isnull=True) | Q(engagement__gte=1, engagement__lte=5),
                name="checkin_engagement_1_5",
            ),
            models.CheckConstraint(
                condition=Q(mood__isnull=True) | Q(mood__gte=1, mood__lte=5), name="checkin_mood_1_5"
            ),
            models.CheckConstraint(
                condition=Q(signed_at__isnull=True) | Q(signed_by__isnull=False), name="checkin_signed_has_signer"
            ),
            models.CheckConstraint(
                condition=Q(cosigned_at__isnull=True, cosigned_by__isnull=True)
                | Q(cosigned_at__isnull=False, cosigned_by__isnull=False, signed_at__isnull=False),
                name="checkin_cosigned_has_cosigner",
            ),
        ]
        triggers = db_triggers.signed_row_frozen(prefix="checkin", signed_at="signed_at", cosigned_at="cosigned_at")

    def __str__(self):
        return f"Check-in {self.episode.ref} week of {self.week}"

    @property
    def is_signed(self):
        return self.signed_at is not None

    def signed_content(self):
        """What the signature covers: every field the therapist wrote, who signed and when —
        the episode and people by natural keys (ref, username), so the digest stays true
        when the record moves to another installation (export_records → import_records)."""
        return {
            "record": "checkin",
            "episode": self.episode.ref,
            "week": self.week,
            "author": self.author.username,
            **{name: getattr(self, name) for name in CHECKIN_FIELDS},
            "signed_by": self.signed_by.username if self.signed_by_id else None,
            "signed_at": self.signed_at,
        }

    @property
    def signer_id(self):
        return self.signed_by_id

    @property
    def signed_when(self):
        return self.signed_at

    @property
    def signature_check(self):
        return integrity.signature_check(self.signature_sha256, self.signed_content)


class Addendum(models.Model):
    """A correction or addition after signing; the signed text never changes."""

    checkin = models.ForeignKey(CheckIn, on_delete=models.PROTECT, related_name="addenda")
    text = models.TextField(max_length=NOTE_MAX_LENGTH, validators=[validate_note_length])
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at"]
        verbose_name_plural = "addenda"
        triggers = db_triggers.append_only(prefix="checkin_addendum")

    def __str__(self):
        return f"Addendum to {self.checkin} by {self.author}"
