from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords


class Weekday(models.TextChoices):
    MON = "mon", "Monday"
    TUE = "tue", "Tuesday"
    WED = "wed", "Wednesday"
    THU = "thu", "Thursday"
    FRI = "fri", "Friday"
    SAT = "sat", "Saturday"
    SUN = "sun", "Sunday"


WEEKDAY_CODES = [c.value for c in Weekday]  # index = date.weekday()


class SiteQuerySet(models.QuerySet):
    def for_user(self, user):
        if user.is_superuser:
            return self
        return self.filter(staff=user)


class Site(models.Model):
    """A clinic location. Staff see the clients of their sites only."""

    code = models.CharField(max_length=12, unique=True, help_text="Short code, used in MRNs (e.g. RIC).")
    name = models.CharField(max_length=100)
    staff = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="sites", blank=True)
    next_mrn_number = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords(excluded_fields=["next_mrn_number"])

    objects = SiteQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class TrackQuerySet(models.QuerySet):
    def for_user(self, user):
        if user.is_superuser:
            return self
        return self.filter(site__staff=user)


class Track(models.Model):
    """A weekly schedule of group sessions (e.g. evening, Mon/Tue/Thu 18:00–21:00)."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="tracks")
    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=100)
    weekdays = models.JSONField(default=list, help_text='Weekday codes, e.g. ["mon", "tue", "thu"].')
    start_time = models.TimeField()
    end_time = models.TimeField()
    active = models.BooleanField(default=True)
    history = HistoricalRecords()

    objects = TrackQuerySet.as_manager()

    class Meta:
        ordering = ["site__name", "start_time"]
        constraints = [
            models.UniqueConstraint(fields=["site", "name"], name="track_unique_name_per_site"),
            models.CheckConstraint(condition=Q(end_time__gt=models.F("start_time")), name="track_ends_after_start"),
        ]

    def __str__(self):
        return f"{self.name} ({self.site.code})"

    @property
    def duration_minutes(self):
        start = self.start_time.hour * 60 + self.start_time.minute
        end = self.end_time.hour * 60 + self.end_time.minute
        return end - start

    def meets_on(self, day):
        return WEEKDAY_CODES[day.weekday()] in self.weekdays


def _pct(default, help_text=""):
    return models.DecimalField(
        max_digits=4,
        decimal_places=2,
        default=default,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=f"{help_text} A share between 0 and 1.".strip(),
    )


def _count(default, help_text=""):
    return models.PositiveSmallIntegerField(default=default, help_text=help_text)


class Criteria(models.Model):
    """Readiness thresholds and needs-attention flag settings of a site (DOMAIN.md defaults).

    A site without a row uses the defaults (the field defaults below).
    """

    site = models.OneToOneField(Site, on_delete=models.PROTECT, related_name="criteria")
    # Readiness
    step_down_min_weeks = _count(6, "Weeks in the episode before step-down.")
    graduation_min_weeks = _count(12, "Weeks in the episode before graduation.")
    attendance_rate_min = _pct(
        "0.90", "Lowest attendance rate for step-down and graduation: attended ÷ (attended + unexcused), 0.90 = 90 %."
    )
    attendance_window_days = _count(28, "Days of sessions the attendance rate looks back over.")
    hours_weeks_window = _count(4, "Complete weeks looked at for required hours.")
    hours_weeks_required = _count(3, "Of those weeks, how many must meet the required hours.")
    step_down_streak = _count(4, "Consecutive negative (or expected-positive) screens for step-down.")
    step_down_streak_days = _count(21, "Days the step-down streak must span.")
    graduation_streak = _count(8, "Consecutive negative (or expected-positive) screens for graduation.")
    graduation_streak_days = _count(45, "Days the graduation streak must span.")
    no_positive_days = _count(30, "No unexpected positive, refusal, missed or invalid screen in this many days.")
    step_down_goals_on_track = _pct("0.75", "Share of active goals on track on the latest worksheet for step-down.")
    graduation_goals_on_track = _pct("0.80", "Share of active goals on track for graduation (or every goal achieved).")
    worksheet_max_age_days = _count(
        14, "The latest worksheet counts only if its week started this many days ago or less."
    )
    checkin_max_age_days = _count(
        10, "The latest signed check-in counts only if its week started this many days ago or less."
    )
    risk_free_days = _count(14, "No risk flag on any check-in of this many days.")
    on_track_rating = models.PositiveSmallIntegerField(
        default=3, validators=[MaxValueValidator(4)], help_text="A goal rated this or more (0–4) is on track."
    )
    # Needs-attention flags
    flag_absences_count = _count(2, "Flag “absences” at this many unexcused absences…")
    flag_absences_days = _count(7, "…within this many days.")
    flag_positive_days = _count(14, "Flag an unexpected positive screen of the last this many days.")
    flag_missed_days = _count(14, "Flag a refused, missed or invalid screen of the last this many days.")
    flag_screen_overdue_days = _count(8, "Flag “screen overdue” when no screen was completed in this many days.")
    flag_checkin_weekday = models.PositiveSmallIntegerField(
        default=3, validators=[MaxValueValidator(6)], help_text="0 = Monday … 3 = Thursday."
    )
    # Co-signature
    readiness_requires_cosignature = models.BooleanField(
        default=False,
        help_text="Readiness counts a check-in once a supervisor co-signed it (when its author needs co-signature); "
        "unticked, the author's signature is enough.",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "criteria"

    def __str__(self):
        return f"Criteria for {self.site}"


class Supervision(models.Model):
    """A clinician whose signed notes need a supervisor's co-signature (trainees, interns).

    While ``active``, every check-in and group note the clinician signs records ``supervisor``
    as the one co-signer (checkins / attendance ``cosign_supervisor``); only that person can
    co-sign it. Changing the supervisor here affects notes signed from then on."""

    clinician = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="supervision")
    supervisor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="supervisees")
    active = models.BooleanField(
        "Needs co-signature", default=True, help_text="Untick when the clinician no longer needs co-signature."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["clinician__username"]
        constraints = [
            models.CheckConstraint(condition=~Q(clinician=models.F("supervisor")), name="supervision_not_self"),
        ]

    def __str__(self):
        return f"{self.clinician} supervised by {self.supervisor}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.clinician_id and self.supervisor_id:
            if self.clinician_id == self.supervisor_id:
                raise ValidationError({"supervisor": "A clinician cannot co-sign their own notes."})
            shared = Site.objects.filter(staff=self.clinician_id).filter(staff=self.supervisor_id).exists()
            if not shared:
                raise ValidationError({"supervisor": "The supervisor must work at one of the clinician's sites."})


def cosign_supervisor_for(user):
    """The supervisor who must co-sign what ``user`` signs now, or None (no co-signature needed).
    One query."""
    row = Supervision.objects.filter(clinician=user, active=True).select_related("supervisor").first()
    return row.supervisor if row else None
