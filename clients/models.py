from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from iop.validators import validate_date_of_birth, validate_phone
from programs.models import LevelOfCare, Site, Track, site_ids_of


class Substance(models.TextChoices):
    ALCOHOL = "alcohol", "Alcohol"
    OPIOIDS = "opioids", "Opioids (heroin, pills)"
    FENTANYL = "fentanyl", "Fentanyl"
    STIMULANTS = "stimulants", "Methamphetamine / amphetamines"
    COCAINE = "cocaine", "Cocaine"
    CANNABIS = "cannabis", "Cannabis"
    BENZODIAZEPINES = "benzodiazepines", "Benzodiazepines"
    OTHER = "other", "Other"


class ReferralSource(models.TextChoices):
    SELF = "self", "Self / family"
    INPATIENT = "inpatient", "Inpatient or detox step-down"
    COURT = "court", "Court / probation"
    EMPLOYER = "employer", "Employer / EAP"
    PROVIDER = "provider", "Physician or other provider"
    OTHER = "other", "Other"


class ClientQuerySet(models.QuerySet):
    def for_user(self, user):
        """Clients with an episode at one of the user's sites (superusers: all)."""
        if user.is_superuser:
            return self
        return self.filter(Exists(Episode.objects.filter(client=OuterRef("pk"), site_id__in=site_ids_of(user))))


class Client(models.Model):
    mrn = models.CharField("MRN", max_length=20, unique=True, editable=False)
    first_name = models.CharField(max_length=60)
    last_name = models.CharField(max_length=60)
    preferred_name = models.CharField(max_length=60, blank=True)
    date_of_birth = models.DateField(validators=[validate_date_of_birth])
    pronouns = models.CharField(max_length=30, blank=True)
    phone = models.CharField(max_length=30, blank=True, validators=[validate_phone])
    email = models.EmailField(blank=True)
    emergency_contact_name = models.CharField(max_length=120, blank=True)
    emergency_contact_phone = models.CharField(max_length=30, blank=True, validators=[validate_phone])
    referral_source = models.CharField(max_length=20, choices=ReferralSource.choices, blank=True)
    primary_substance = models.CharField(max_length=20, choices=Substance.choices, blank=True)
    other_substances = models.CharField(max_length=200, blank=True, help_text="Other substances used, if any.")
    court_involved = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = ClientQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name", "mrn"]
        indexes = [models.Index(fields=["last_name", "first_name"])]

    def __str__(self):
        return f"{self.last_name}, {self.display_first_name} ({self.mrn})"

    def get_absolute_url(self):
        return reverse("clients:detail", args=[self.pk])

    @property
    def display_first_name(self):
        return self.preferred_name or self.first_name

    @property
    def full_name(self):
        return f"{self.display_first_name} {self.last_name}"


class EpisodeQuerySet(models.QuerySet):
    def for_user(self, user):
        """Episodes at one of the user's sites (superusers: all)."""
        if user.is_superuser:
            return self
        return self.filter(site_id__in=site_ids_of(user))

    def active(self):
        return self.filter(status=Episode.Status.ACTIVE)


class Episode(models.Model):
    """One stay: admission → level-of-care changes → discharge. Every clinical row belongs to one."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        STEPPED_DOWN = "stepped_down", "Stepped down"
        GRADUATED = "graduated", "Graduated"
        DISCHARGED = "discharged", "Discharged"

    class EndReason(models.TextChoices):
        GRADUATED = "graduated", "Graduated (completed)"
        STEPPED_DOWN = "stepped_down", "Stepped down to outpatient"
        STEPPED_UP = "stepped_up", "Stepped up / transferred"
        LEFT_AGAINST_ADVICE = "left_against_advice", "Left against clinical advice"
        ADMINISTRATIVE = "administrative", "Administrative"
        OTHER = "other", "Other"

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="episodes")
    ref = models.CharField(max_length=40, unique=True, editable=False, help_text="e.g. RIC-0001-1")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="episodes")
    track = models.ForeignKey(Track, on_delete=models.PROTECT, related_name="episodes", null=True, blank=True)
    level_of_care = models.CharField(max_length=3, choices=LevelOfCare.choices, default=LevelOfCare.IOP)
    admitted_on = models.DateField()
    primary_therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="therapist_episodes", null=True, blank=True
    )
    case_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="case_manager_episodes", null=True, blank=True
    )
    required_weekly_hours = models.DecimalField(max_digits=4, decimal_places=1, default=9)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=30, choices=EndReason.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Bumped (clients.services.episodes_inputs_changed) by every write that changes a marker input;
    # the dashboard's snapshot of the episode is current only for the version it read.
    inputs_version = models.PositiveIntegerField(default=0, editable=False)
    history = HistoricalRecords(excluded_fields=["inputs_version"])

    objects = EpisodeQuerySet.as_manager()

    class Meta:
        ordering = ["-admitted_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["client"], condition=Q(status="active"), name="episode_one_active_per_client"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("admitted_on")),
                name="episode_ends_after_admission",
            ),
            models.CheckConstraint(
                condition=Q(status="active", ended_on__isnull=True) | (~Q(status="active") & Q(ended_on__isnull=False)),
                name="episode_ended_iff_not_active",
            ),
            models.CheckConstraint(
                condition=Q(required_weekly_hours__gte=0), name="episode_required_hours_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["site", "status"])]

    def __str__(self):
        return f"{self.ref} ({self.get_status_display()})"

    def get_absolute_url(self):
        return reverse("clients:detail", args=[self.client_id])

    @property
    def is_active(self):
        return self.status == self.Status.ACTIVE

    def covers(self, day):
        """Whether the episode was open on ``day``."""
        return self.admitted_on <= day and (self.ended_on is None or day <= self.ended_on)


class LevelOfCareChange(models.Model):
    """Append-only history of an episode's level of care (the first row is the admission level)."""

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="level_changes")
    level_of_care = models.CharField(max_length=3, choices=LevelOfCare.choices)
    effective_on = models.DateField()
    reason = models.CharField(max_length=200, blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["effective_on", "pk"]

    def __str__(self):
        return f"{self.episode.ref}: {self.level_of_care} from {self.effective_on}"
