from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from attendance import rules
from clients.models import Episode
from iop import integrity
from iop import triggers as db_triggers
from iop.models import CoSignature
from iop.validators import NOTE_MAX_LENGTH, validate_note_length, validate_session_date
from programs.models import Site, Track


class Modality(models.TextChoices):
    """How a session is held, or how one client took part in it (telehealth)."""

    IN_PERSON = rules.IN_PERSON, rules.MODALITY_LABELS[rules.IN_PERSON]
    VIDEO = rules.VIDEO, rules.MODALITY_LABELS[rules.VIDEO]
    PHONE = rules.PHONE, rules.MODALITY_LABELS[rules.PHONE]


class Session(CoSignature):
    """A scheduled or held session. Group sessions belong to a track and have a roster."""

    Modality = Modality

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
    date = models.DateField(validators=[validate_session_date])
    start_time = models.TimeField()
    duration_minutes = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.GROUP)
    topic = models.CharField(max_length=200, blank=True)
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="facilitated_sessions", null=True, blank=True
    )
    co_facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="co_facilitated_sessions",
        blank=True,
        help_text="Staff of the site who led the session with the facilitator (recorded on the roster).",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    group_note = models.TextField(
        blank=True,
        max_length=NOTE_MAX_LENGTH,
        validators=[validate_note_length],
        help_text="Written once; shown on every attendee's record.",
    )
    cancel_reason = models.CharField(
        "Reason for cancelling", max_length=500, blank=True, help_text="Why the program cancelled the session."
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    note_signed_at = models.DateTimeField(null=True, blank=True)
    note_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    signature_sha256 = models.CharField(
        "SHA-256 of the signed note and roster", max_length=64, blank=True, editable=False, help_text="Set by signing."
    )
    version = models.PositiveIntegerField(default=0, help_text="Bumped on every roster save (optimistic lock).")
    created_at = models.DateTimeField(auto_now_add=True)
    # Telehealth (issue 14): how the session is held; an attendee may take part differently.
    modality = models.CharField(max_length=10, choices=Modality.choices, default=Modality.IN_PERSON)
    # Schedules (issue 15): an individual, family, medication or case-management session
    # scheduled for one client (its one expected attendee), and where it was before a reschedule.
    scheduled_for = models.ForeignKey(
        Episode,
        on_delete=models.PROTECT,
        related_name="scheduled_sessions",
        null=True,
        blank=True,
        help_text="The client's episode this session was scheduled for (its one expected attendee).",
    )
    rescheduled_from_date = models.DateField(null=True, blank=True)
    rescheduled_from_time = models.TimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-start_time"]
        constraints = [
            models.UniqueConstraint(fields=["site", "track", "date", "start_time", "kind"], name="session_unique_slot"),
            models.CheckConstraint(condition=Q(duration_minutes__gt=0), name="session_duration_positive"),
            models.CheckConstraint(
                condition=Q(cosigned_at__isnull=True, cosigned_by__isnull=True)
                | Q(cosigned_at__isnull=False, cosigned_by__isnull=False, note_signed_at__isnull=False),
                name="session_cosigned_has_cosigner",
            ),
        ]
        indexes = [models.Index(fields=["site", "date"])]
        triggers = db_triggers.signed_row_frozen(
            prefix="session", signed_at="note_signed_at", cosigned_at="cosigned_at"
        )

    def __str__(self):
        return f"{self.get_kind_display()} {self.date:%Y-%m-%d} {self.start_time:%H:%M}"

    def get_absolute_url(self):
        return reverse("attendance:session", args=[self.pk])

    @property
    def is_signed(self):
        return self.note_signed_at is not None

    def signed_content(self, rows=None):
        """What the signature covers: the session, its group note, every attendance row
        (``rows``, else read), who signed and when — by natural keys (site code, episode ref,
        username), so the digest stays true when the record moves to another installation."""
        if rows is None:
            rows = self.attendance.select_related("episode", "recorded_by")
        rows = sorted(rows, key=lambda a: a.episode.ref)
        content = {
            "record": "session",
            "site": self.site.code,
            "track": self.track.code if self.track_id else None,
            "date": self.date,
            "start_time": self.start_time,
            "duration_minutes": self.duration_minutes,
            "kind": self.kind,
            "topic": self.topic,
            "facilitator": _username(self.facilitator),
            "status": self.status,
            "group_note": self.group_note,
            "attendance": [_signed_row(a) for a in rows],
            "signed_by": _username(self.note_signed_by),
            "signed_at": self.note_signed_at,
            # Telehealth: named only when not in person, so a digest signed before modalities
            # existed (every session in person) still checks.
            **({"modality": self.modality} if self.modality != Modality.IN_PERSON else {}),
        }
        if self.pk:  # co-facilitators are covered when there are any (older signatures had none)
            co = sorted(u.username for u in self.co_facilitators.all())
            if co:
                content["co_facilitators"] = co
        return content

    @property
    def is_rescheduled(self):
        return self.rescheduled_from_date is not None

    @property
    def signer_id(self):
        return self.note_signed_by_id

    @property
    def signed_when(self):
        return self.note_signed_at

    @property
    def signature_check(self):
        return integrity.signature_check(self.signature_sha256, self.signed_content)


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
    note = models.TextField(
        blank=True,
        max_length=NOTE_MAX_LENGTH,
        validators=[validate_note_length],
        help_text="Individual note for this client (optional).",
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    recorded_at = models.DateTimeField(auto_now=True)
    # Telehealth: how this client took part when it differs from the session ("" = as the session).
    modality = models.CharField(
        max_length=10, choices=Modality.choices, blank=True, help_text="Empty: as the session (its modality)."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["session__date", "session__start_time"]
        constraints = [
            models.UniqueConstraint(fields=["session", "episode"], name="attendance_one_per_session_episode"),
            models.CheckConstraint(condition=Q(minutes_attended__gte=0), name="attendance_minutes_not_negative"),
            # attendance/rules.py minutes_problem: an absence (or a cancelled session) has no minutes.
            models.CheckConstraint(
                condition=~Q(status__in=["excused", "absent", "cancelled"]) | Q(minutes_attended=0),
                name="attendance_absence_has_no_minutes",
            ),
        ]
        triggers = [
            db_triggers.ChildOfSigned(
                name="attendance_of_signed_session",
                parent_table="attendance_session",
                parent_fk_column="session_id",
                parent_signed_at="note_signed_at",
            )
        ]

    def __str__(self):
        return f"{self.episode.ref} at {self.session}: {self.get_status_display()}"

    def get_absolute_url(self):
        return reverse("attendance:client", args=[self.episode.client_id])

    @property
    def effective_modality(self):
        return rules.effective_modality(self.modality, self.session.modality)

    def get_effective_modality_display(self):
        return rules.MODALITY_LABELS[self.effective_modality]


class SessionAddendum(models.Model):
    """A correction or addition to a signed session note."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="addenda")
    text = models.TextField(max_length=NOTE_MAX_LENGTH, validators=[validate_note_length])
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["created_at"]
        verbose_name_plural = "session addenda"
        triggers = db_triggers.append_only(prefix="session_addendum")

    def __str__(self):
        return f"Addendum to {self.session} by {self.author}"


def _signed_row(a):
    row = {
        "episode": a.episode.ref,
        "status": a.status,
        "minutes_attended": a.minutes_attended,
        "note": a.note,
        "recorded_by": _username(a.recorded_by),
    }
    if a.modality:  # named only when it differs from the session (older digests still check)
        row["modality"] = a.modality
    return row


def _username(user):
    return user.username if user is not None else None


class AttendanceCorrection(models.Model):
    """A recorded correction of one attendance row of a signed session (append-only).

    The signed row is never touched: its status and minutes stay what was signed, and the
    latest correction (``attendance.queries.effective_attendance``) is what every count,
    rate, hour and marker reads from then on. Each correction names who made it, when, and why.
    """

    attendance = models.ForeignKey(Attendance, on_delete=models.PROTECT, related_name="corrections")
    status = models.CharField("Corrected status", max_length=12, choices=Attendance.Status.choices)
    minutes_attended = models.PositiveSmallIntegerField("Corrected minutes attended")
    reason = models.CharField("Reason for the correction", max_length=500)
    corrected_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    corrected_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["corrected_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=["excused", "absent", "cancelled"]) | Q(minutes_attended=0),
                name="attendance_correction_absence_has_no_minutes",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="attendance_correction_has_reason"),
        ]
        indexes = [models.Index(fields=["attendance", "corrected_at"], name="attendance_correction_latest")]
        triggers = db_triggers.append_only(prefix="attendance_correction")

    def __str__(self):
        return f"Correction of {self.attendance_id}: {self.get_status_display()}"
