from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from clients.models import Client, Episode
from iop import triggers as db_triggers
from iop.validators import NOTE_MAX_LENGTH, prescription_end_problem, validate_note_length


class Analyte(models.Model):
    """A substance a panel tests for. Cutoffs differ by device: edit them here, never in code."""

    code = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=80)
    drug_class = models.CharField(max_length=80, blank=True)
    screening_cutoff = models.PositiveIntegerField("screening cutoff (ng/mL)", null=True, blank=True)
    confirmation_cutoff = models.PositiveIntegerField("confirmation cutoff (ng/mL)", null=True, blank=True)
    loinc = models.CharField("LOINC code", max_length=20, blank=True)
    active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} ({self.name})"


class Panel(models.Model):
    name = models.CharField(max_length=80, unique=True)
    analytes = models.ManyToManyField(Analyte, related_name="panels")
    active = models.BooleanField(default=True)
    history = HistoricalRecords(m2m_fields=[analytes])

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Prescription(models.Model):
    """A prescribed medication that explains a positive for ``analyte`` between start and end."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="prescriptions")
    medication = models.CharField(max_length=100)
    analyte = models.ForeignKey(Analyte, on_delete=models.PROTECT, related_name="prescriptions")
    start = models.DateField()
    end = models.DateField(null=True, blank=True, help_text="Leave empty while the prescription is active.")
    prescriber = models.CharField(max_length=120, blank=True)
    entered_in_error = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")), name="prescription_ends_after_start"
            )
        ]

    def __str__(self):
        return f"{self.medication} ({self.analyte.code}) from {self.start}"

    def clean(self):
        problem = self.start and prescription_end_problem(self.start, self.end)
        if problem:
            raise ValidationError({"end": problem})

    def active_on(self, day):
        return not self.entered_in_error and self.start <= day and (self.end is None or day <= self.end)


class Screen(models.Model):
    class Method(models.TextChoices):
        POC = "poc", "Point-of-care cup (presumptive)"
        LAB = "lab", "Laboratory"

    class Outcome(models.TextChoices):
        COMPLETED = "completed", "Completed"
        REFUSED = "refused", "Refused"
        MISSED = "missed", "Missed / no-show"
        INVALID = "invalid", "Invalid specimen"

    episode = models.ForeignKey(Episode, on_delete=models.PROTECT, related_name="screens")
    collected_at = models.DateTimeField()
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    observed = models.BooleanField(default=False)
    method = models.CharField(max_length=3, choices=Method.choices, default=Method.POC)
    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.COMPLETED)
    reason = models.CharField(max_length=200, blank=True, help_text="Why refused, missed or invalid.")
    temperature_in_range = models.BooleanField(null=True, blank=True, help_text="32–38 °C read within 4 minutes.")
    temperature_c = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    creatinine_mg_dl = models.DecimalField("creatinine (mg/dL)", max_digits=6, decimal_places=2, null=True, blank=True)
    specific_gravity = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)
    ph = models.DecimalField("pH", max_digits=4, decimal_places=2, null=True, blank=True)
    nitrite_ug_ml = models.DecimalField("nitrite (µg/mL)", max_digits=7, decimal_places=1, null=True, blank=True)
    adulterant_noted = models.BooleanField(default=False)
    entered_in_error = models.BooleanField(default=False)
    notes = models.TextField(blank=True, max_length=NOTE_MAX_LENGTH, validators=[validate_note_length])
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-collected_at"]
        constraints = [
            models.UniqueConstraint(fields=["episode", "collected_at"], name="screen_one_per_episode_minute"),
            models.CheckConstraint(
                condition=Q(ph__isnull=True) | (Q(ph__gte=0) & Q(ph__lte=14)), name="screen_ph_in_range"
            ),
            models.CheckConstraint(
                condition=Q(creatinine_mg_dl__isnull=True) | Q(creatinine_mg_dl__gte=0),
                name="screen_creatinine_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(temperature_c__isnull=True) | (Q(temperature_c__gte=20) & Q(temperature_c__lte=45)),
                name="screen_temperature_physical",
            ),
            models.CheckConstraint(
                condition=Q(nitrite_ug_ml__isnull=True) | Q(nitrite_ug_ml__gte=0), name="screen_nitrite_not_negative"
            ),
        ]

    def __str__(self):
        return f"Screen {self.episode.ref} {self.collected_at:%Y-%m-%d %H:%M}"


class ScreenResult(models.Model):
    class Result(models.TextChoices):
        NEGATIVE = "negative", "Negative"
        POSITIVE = "positive", "Positive"
        INCONCLUSIVE = "inconclusive", "Inconclusive"

    class Confirmation(models.TextChoices):
        NOT_SENT = "not_sent", "Not sent"
        PENDING = "pending", "Pending"
        CONFIRMED_POSITIVE = "confirmed_positive", "Confirmed positive"
        CONFIRMED_NEGATIVE = "confirmed_negative", "Confirmed negative"

    screen = models.ForeignKey(Screen, on_delete=models.PROTECT, related_name="results")
    analyte = models.ForeignKey(Analyte, on_delete=models.PROTECT, related_name="results")
    result = models.CharField(max_length=12, choices=Result.choices, default=Result.NEGATIVE)
    level_ng_ml = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    confirmation = models.CharField(max_length=20, choices=Confirmation.choices, default=Confirmation.NOT_SENT)
    confirmation_sent_on = models.DateField(null=True, blank=True)
    confirmed_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["analyte__code"]
        constraints = [
            models.UniqueConstraint(fields=["screen", "analyte"], name="screenresult_one_per_analyte"),
            models.CheckConstraint(
                condition=Q(level_ng_ml__isnull=True) | Q(level_ng_ml__gte=0), name="screenresult_level_not_negative"
            ),
        ]
        # A result is recorded once; its lab confirmation is final once confirmed either way.
        triggers = [
            db_triggers.columns_frozen(
                prefix="screenresult_recorded", columns=["screen_id", "analyte_id", "result", "level_ng_ml"]
            ),
            db_triggers.columns_frozen(
                prefix="screenresult_confirmed",
                columns=["confirmation", "confirmation_sent_on", "confirmed_on"],
                when="OLD.confirmation IN ('confirmed_positive', 'confirmed_negative')",
            ),
            db_triggers.no_delete(prefix="screenresult"),
        ]

    def __str__(self):
        return f"{self.analyte.code}: {self.result}"
