"""Continuing care after an episode: the aftercare plan and the follow-up contacts at 7, 30 and
90 days. Knows clients and programs, nothing clinical above them."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from aftercare import rules
from clients.models import Episode
from iop.validators import validate_note_length, validate_phone
from programs.models import Track, site_ids_of


class PlanQuerySet(models.QuerySet):
    def for_user(self, user):
        return self if user.is_superuser else self.filter(episode__site_id__in=site_ids_of(user))


class AftercarePlan(models.Model):
    """What follows an ended (or ending) episode: one per episode, corrected by editing (each
    save bumps ``version``: optimistic lock) with every version kept in its history."""

    episode = models.OneToOneField(Episode, on_delete=models.PROTECT, related_name="aftercare_plan")
    continuing_care_track = models.ForeignKey(
        Track,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="continuing-care group",
        help_text=(
            "A group the client keeps attending (e.g. the monthly alumni group); at graduation the "
            "decision form offers to open a continuing-care episode in it."
        ),
    )
    outpatient_sessions_per_week = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(14)])
    mutual_help_meetings_per_week = models.PositiveSmallIntegerField(
        "mutual-help meetings per week", default=0, validators=[MaxValueValidator(21)], help_text="AA, NA, SMART…"
    )
    recovery_supports = models.TextField(blank=True, validators=[validate_note_length])
    medication_provider = models.CharField(max_length=200, blank=True)
    next_appointment_at = models.DateTimeField("next medication appointment", null=True, blank=True)
    crisis_plan = models.TextField("emergency / crisis plan", validators=[validate_note_length])
    contact_name = models.CharField("who to call", max_length=120)
    contact_phone = models.CharField("their phone", max_length=30, validators=[validate_phone])
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, help_text="Bumped on every save (optimistic lock).")
    history = HistoricalRecords()

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["-recorded_at"]

    def __str__(self):
        return f"Aftercare plan of {self.episode.ref}"

    def clean(self):
        track = self.continuing_care_track
        if track is not None and self.episode_id and track.site_id != self.episode.site_id:
            raise ValidationError({"continuing_care_track": "Choose a group of the episode's site."})
        if track is not None and not track.continuing_care:
            raise ValidationError({"continuing_care_track": f"{track.name} is not a continuing-care group."})


class FollowUpQuerySet(models.QuerySet):
    def for_user(self, user):
        return self if user.is_superuser else self.filter(episode__site_id__in=site_ids_of(user))


class SelfReport(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    DECLINED = "declined", "Declined to say"


class YesNoUnknown(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    UNKNOWN = "unknown", "Unknown"


class ContinuingCare(models.TextChoices):
    ATTENDING = "attending", "Attending as planned"
    SOME = "some", "Attending some"
    NOT_ATTENDING = "not_attending", "Not attending"
    NOT_PLANNED = "not_planned", "None planned"


class Housing(models.TextChoices):
    STABLE = "stable", "Stable"
    TEMPORARY = "temporary", "Temporary / unstable"
    HOMELESS = "homeless", "Homeless"
    UNKNOWN = "unknown", "Unknown"


class Employment(models.TextChoices):
    EMPLOYED = "employed", "Employed"
    UNEMPLOYED = "unemployed", "Unemployed"
    STUDENT = "student", "Student"
    UNABLE = "unable", "Unable to work / retired"
    UNKNOWN = "unknown", "Unknown"


class FollowUp(models.Model):
    """One follow-up contact, due ``offset_days`` after the episode's end; its outcome is logged
    on the row (attempts so far, and what the client said when reached)."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="followups")
    offset_days = models.PositiveSmallIntegerField(help_text="Days after the episode's last day.")
    due_on = models.DateField(db_index=True)
    contacted_on = models.DateField("last attempt on", null=True, blank=True)
    reached = models.BooleanField(null=True, help_text="Empty until a contact is logged.")
    attempts = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(20)])
    substance_use = models.CharField(
        "using substances since", max_length=10, choices=SelfReport.choices, blank=True, help_text="Self-report."
    )
    in_treatment = models.CharField("in treatment", max_length=10, choices=YesNoUnknown.choices, blank=True)
    continuing_care = models.CharField(
        "continuing-care attendance", max_length=15, choices=ContinuingCare.choices, blank=True
    )
    housing = models.CharField(max_length=10, choices=Housing.choices, blank=True)
    employment = models.CharField(max_length=12, choices=Employment.choices, blank=True)
    readmitted = models.CharField("readmitted anywhere", max_length=10, choices=YesNoUnknown.choices, blank=True)
    needs = models.TextField(blank=True, validators=[validate_note_length])
    done = models.BooleanField(default=False, help_text="Set by the service from the follow-up rules.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=0, help_text="Bumped on every logged contact (optimistic lock).")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["episode", "offset_days"], name="followup_one_per_episode_offset"),
        ]
        indexes = [models.Index(fields=["done", "due_on"])]

    def __str__(self):
        return f"{self.offset_days}-day follow-up of {self.episode.ref}"

    def state(self, on):
        return rules.followup_state(due_on=self.due_on, on=on, done=self.done)

    def state_label(self, on):
        return rules.STATE_LABELS[self.state(on)]
