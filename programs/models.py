from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from programs import schedule


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


class Cadence(models.TextChoices):
    WEEKLY = schedule.WEEKLY, "Every week"
    MONTHLY = schedule.MONTHLY, "Once a month"


class Track(models.Model):
    """A schedule of group sessions: weekly (e.g. evening, Mon/Tue/Thu 18:00–21:00) or monthly
    (e.g. the continuing-care alumni group, first Tuesday of the month 18:00–19:30)."""

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="tracks")
    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=100)
    weekdays = models.JSONField(default=list, help_text='Weekday codes, e.g. ["mon", "tue", "thu"].')
    start_time = models.TimeField()
    end_time = models.TimeField()
    cadence = models.CharField(max_length=10, choices=Cadence.choices, default=Cadence.WEEKLY)
    month_week = models.SmallIntegerField(
        "week of the month",
        null=True,
        blank=True,
        choices=[(1, "First"), (2, "Second"), (3, "Third"), (4, "Fourth"), (schedule.LAST_WEEK, "Last")],
        help_text="Monthly tracks only: which of the month's weekdays it meets on (first Tuesday…).",
    )
    continuing_care = models.BooleanField(
        "continuing-care group",
        default=False,
        help_text="An aftercare (alumni) group: graduates attend it on an outpatient continuing-care episode.",
    )
    active = models.BooleanField(default=True)
    history = HistoricalRecords()

    objects = TrackQuerySet.as_manager()

    class Meta:
        ordering = ["site__name", "start_time"]
        constraints = [
            models.UniqueConstraint(fields=["site", "name"], name="track_unique_name_per_site"),
            models.CheckConstraint(condition=Q(end_time__gt=models.F("start_time")), name="track_ends_after_start"),
            models.CheckConstraint(
                condition=Q(cadence=Cadence.WEEKLY, month_week__isnull=True)
                | Q(cadence=Cadence.MONTHLY, month_week__in=schedule.WEEKS_OF_MONTH),
                name="track_month_week_with_monthly_cadence",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.site.code})"

    @property
    def duration_minutes(self):
        start = self.start_time.hour * 60 + self.start_time.minute
        end = self.end_time.hour * 60 + self.end_time.minute
        return end - start

    def clean(self):
        if self.cadence == Cadence.MONTHLY and self.month_week is None:
            raise ValidationError({"month_week": "A monthly track needs its week of the month (first … last)."})
        if self.cadence == Cadence.WEEKLY and self.month_week is not None:
            raise ValidationError({"month_week": "Only a monthly track has a week of the month: leave it empty."})

    def meets_on(self, day):
        """Whether the track meets on ``day`` (programs/schedule.py)."""
        return schedule.track_meets_on(day, weekdays=self.weekdays, cadence=self.cadence, month_week=self.month_week)

    @property
    def schedule_label(self):
        """In words: "Mon, Tue, Thu" or "First Tuesday of the month"."""
        if self.cadence == Cadence.MONTHLY:
            days = " / ".join(Weekday(code).label for code in self.weekdays if code in WEEKDAY_CODES)
            return f"{self.get_month_week_display()} {days} of the month"
        return ", ".join(Weekday(code).label[:3] for code in self.weekdays if code in WEEKDAY_CODES)


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
    history = HistoricalRecords()

    class Meta:
        verbose_name_plural = "criteria"

    def __str__(self):
        return f"Criteria for {self.site}"
