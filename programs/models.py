from decimal import Decimal

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


class LevelOfCare(models.TextChoices):
    """ASAM levels of care a program runs (programs owns them: criteria are set per level)."""

    IOP = "IOP", "IOP (ASAM 2.1)"
    PHP = "PHP", "PHP (ASAM 2.5)"
    OP = "OP", "Outpatient (ASAM 1.0)"


def site_ids_of(user):
    """The ids of ``user``'s sites, as a subquery: ``site_id__in=site_ids_of(user)`` scopes a
    table to them in one semi-join on the staff table. The path ``site__staff=user`` joined the
    site table and the staff table into every scoped query instead; measured on the caseload's
    aggregate and page queries at 1,000 episodes (PostgreSQL), the semi-join plans ~0.6 ms and
    runs ~0.5–1 ms faster, each."""
    return Site.staff.through.objects.filter(user=user).values("site_id")


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
        return self.filter(site_id__in=site_ids_of(user))


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
    """Readiness thresholds, needs-attention flag settings and required weekly hours of one level
    of care at one site (DOMAIN.md defaults; docs/criteria.md).

    Every site has one row per level (``programs.services.site_criteria_ensure``); a missing row
    reads as that level's defaults (``LEVEL_DEFAULTS`` over the field defaults below, which are
    the IOP figures). ``programs.services.criteria_for`` is the one lookup.
    """

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="criteria")
    level_of_care = models.CharField(
        max_length=3,
        choices=LevelOfCare.choices,
        default=LevelOfCare.IOP,
        help_text="The level of care these thresholds judge (an episode is judged by its current level).",
    )
    weekly_hours = models.DecimalField(
        max_digits=4,
        decimal_places=1,
        default=Decimal("9"),
        validators=[MinValueValidator(0), MaxValueValidator(60)],
        help_text=(
            "Hours a week a new episode at this level is required to attend (intake, step-down, step-up); "
            "the form starts with it and staff may change it for one client."
        ),
    )
    step_down_applies = models.BooleanField(
        default=True,
        help_text=(
            "Whether step-down readiness is judged at this level. Off for outpatient: there is no lower "
            "level here, so Progress shows step-down as “not applicable” instead of “not met”."
        ),
    )
    # Readiness
    step_down_min_weeks = _count(6, "Weeks in the episode before step-down.")
    graduation_min_weeks = _count(12, "Weeks in the episode before graduation.")
    attendance_rate_min = _pct(
        "0.90", "Lowest attendance rate for step-down and graduation: attended ÷ (attended + unexcused), 0.90 = 90 %."
    )
    attendance_window_days = _count(28, "Days of sessions the attendance rate looks back over.")
    hours_weeks_window = _count(4, "Complete weeks looked at for required hours.")
    hours_weeks_required = _count(3, "Of those weeks, how many must meet the required hours.")
    step_down_streak = _count(
        4, "Consecutive negative (or expected-positive) screens for step-down (0 = not required)."
    )
    step_down_streak_days = _count(21, "Days the step-down streak must span.")
    graduation_streak = _count(
        8, "Consecutive negative (or expected-positive) screens for graduation (0 = not required)."
    )
    graduation_streak_days = _count(45, "Days the graduation streak must span.")
    no_positive_days = _count(30, "No unexpected positive, refusal, missed or invalid screen in this many days.")
    step_down_goals_on_track = _pct(
        "0.75", "Share of active goals on track on the latest worksheet for step-down (0 = not required)."
    )
    graduation_goals_on_track = _pct(
        "0.80", "Share of active goals on track for graduation, or every goal achieved (0 = not required)."
    )
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
        ordering = ["site__name", "level_of_care"]
        constraints = [
            models.UniqueConstraint(fields=["site", "level_of_care"], name="criteria_one_row_per_site_and_level"),
        ]

    def __str__(self):
        return f"{self.get_level_of_care_display()} criteria for {self.site}"


# Each level's defaults where they differ from the field defaults (the IOP figures). A threshold
# of 0 requires nothing (0 screens in a row, 0 % of goals): outpatient graduation asks for time,
# attendance, hours, no recent positive, no recent risk and a signed check-in recommending it.
LEVEL_DEFAULTS = {
    LevelOfCare.PHP: {"weekly_hours": Decimal("20")},
    LevelOfCare.IOP: {"weekly_hours": Decimal("9")},
    LevelOfCare.OP: {
        "weekly_hours": Decimal("1"),
        "step_down_applies": False,
        "graduation_min_weeks": 4,
        "attendance_rate_min": Decimal("0.75"),
        "graduation_streak": 0,
        "graduation_streak_days": 0,
        "graduation_goals_on_track": Decimal("0"),
    },
}


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
