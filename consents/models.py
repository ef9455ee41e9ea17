"""42 CFR Part 2 consents (§2.31) and the disclosures made under them (§2.25, §2.32).

Knows clients and sites, nothing clinical: what a disclosure released is described by its
categories and carried by its document, which the top floor (letters) composes.
"""

import datetime as dt
import hashlib
import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from clients.models import Client
from consents import rules
from programs.models import Site, site_ids_of


class PrivateStorage(FileSystemStorage):
    """Uploaded consent scans and letterhead logos: under ``PRIVATE_MEDIA_ROOT``, outside the
    static and media paths, served only by a view that checks the user may see the client.
    The location is read from the settings at each use (not when the model is loaded)."""

    def __init__(self):
        super().__init__(base_url=None)

    @property
    def base_location(self):
        return settings.PRIVATE_MEDIA_ROOT

    @property
    def location(self):
        return os.path.abspath(self.base_location)


def private_storage():
    return PrivateStorage()


class Category(models.TextChoices):
    ATTENDANCE = rules.ATTENDANCE, rules.CATEGORY_LABELS[rules.ATTENDANCE]
    SCREEN_RESULTS = rules.SCREEN_RESULTS, rules.CATEGORY_LABELS[rules.SCREEN_RESULTS]
    SCREEN_SUMMARY = rules.SCREEN_SUMMARY, rules.CATEGORY_LABELS[rules.SCREEN_SUMMARY]
    PROGRESS = rules.PROGRESS, rules.CATEGORY_LABELS[rules.PROGRESS]
    GOALS = rules.GOALS, rules.CATEGORY_LABELS[rules.GOALS]
    LEVEL_OF_CARE = rules.LEVEL_OF_CARE, rules.CATEGORY_LABELS[rules.LEVEL_OF_CARE]


class ConsentQuerySet(models.QuerySet):
    def for_user(self, user):
        """Consents of the user's sites' clients, given by one of the user's sites (superusers: all)."""
        if user.is_superuser:
            return self
        return self.filter(client__in=Client.objects.for_user(user), site_id__in=site_ids_of(user))


class Consent(models.Model):
    """A written consent with every element §2.31 requires."""

    class RecipientKind(models.TextChoices):
        NAMED = "named", "A named person or organisation"
        TPO_CLASS = "tpo_class", "A class of recipients, for treatment, payment or health care operations"

    class Purpose(models.TextChoices):
        COURT = "court_supervision", "Court / probation supervision"
        EMPLOYMENT = "employment", "Employment"
        TREATMENT = "treatment_coordination", "Treatment coordination"
        PAYMENT = "payment", "Payment"
        FAMILY = "family", "Family"
        OTHER = "other", "Other"

    class SignatureMethod(models.TextChoices):
        WET_SCAN = "wet_scan", "Signed on paper (scan on file)"
        ELECTRONIC = "electronic", "Signed electronically"

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="consents")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+", help_text="Who may disclose.")
    categories = models.JSONField(help_text="What information the consent covers (Category values).")
    information_other = models.CharField("other information (specific)", max_length=500, blank=True)
    recipient_kind = models.CharField(max_length=10, choices=RecipientKind.choices, default=RecipientKind.NAMED)
    recipient_name = models.CharField(
        max_length=200, help_text="The person or organisation, or the class of recipients."
    )
    recipient_organisation = models.CharField(max_length=200, blank=True)
    recipient_address = models.CharField(max_length=500, blank=True)
    purpose = models.CharField(max_length=25, choices=Purpose.choices)
    purpose_detail = models.CharField(max_length=300, blank=True)
    court_agency = models.CharField("court or agency", max_length=200, blank=True)
    case_number = models.CharField("case or docket number", max_length=60, blank=True)
    expires_on = models.DateField(null=True, blank=True, help_text="The last day the consent may be used.")
    expiration_event = models.CharField(
        max_length=200, blank=True, help_text="Or an event that ends it, e.g. 'completion of probation'."
    )
    event_occurred_on = models.DateField(null=True, blank=True, help_text="When the expiry event happened.")
    signed_on = models.DateField(null=True, blank=True)
    signature_method = models.CharField(max_length=10, choices=SignatureMethod.choices, blank=True)
    signed_by_name = models.CharField("name as signed", max_length=120, blank=True)
    signer_is_guardian = models.BooleanField("signed by a guardian or representative", default=False)
    scan = models.FileField(storage=private_storage, upload_to="consents/%Y/%m/", blank=True)
    revoked_on = models.DateField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revocation_note = models.CharField(max_length=300, blank=True)
    entered_in_error = models.BooleanField(default=False)
    error_reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=False) | ~Q(expiration_event=""),
                name="consent_expires_on_a_date_or_an_event",
            ),
            models.CheckConstraint(
                condition=Q(signed_on__isnull=True) | ~Q(signed_by_name=""), name="consent_signature_names_signer"
            ),
        ]

    def __str__(self):
        return f"Consent {self.pk} ({self.get_purpose_display()} → {self.recipient_name})"

    @property
    def facts(self):
        return rules.ConsentFacts(
            categories=frozenset(self.categories),
            signed_on=self.signed_on,
            expires_on=self.expires_on,
            event_occurred_on=self.event_occurred_on,
            revoked_on=self.revoked_on,
            entered_in_error=self.entered_in_error,
        )

    def state(self, on: dt.date):
        return rules.consent_state(self.facts, on)

    def state_label(self, on: dt.date):
        return rules.STATE_LABELS[self.state(on)]

    @property
    def category_labels(self):
        return [rules.CATEGORY_LABELS.get(c, c) for c in self.categories]

    @property
    def recipient_line(self):
        parts = [self.recipient_name, self.recipient_organisation]
        return ", ".join(p for p in parts if p)

    @property
    def expiry_line(self):
        if self.expires_on and self.expiration_event:
            return f"{self.expires_on:%m/%d/%Y} or {self.expiration_event}, whichever comes first"
        return f"{self.expires_on:%m/%d/%Y}" if self.expires_on else self.expiration_event


class DisclosureQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(consent__in=Consent.objects.for_user(user))


class Disclosure(models.Model):
    """One release of information under a consent: append-only, its document kept as issued."""

    class Method(models.TextChoices):
        MAIL = "mail", "Mail"
        FAX = "fax", "Fax"
        SECURE_EMAIL = "secure_email", "Secure email"
        HANDED = "handed_to_client", "Handed to the client"
        PORTAL = "portal", "Portal"

    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, related_name="disclosures")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="disclosures")
    recipient = models.CharField(max_length=400, help_text="As released to (copied from the consent).")
    purpose = models.CharField(max_length=25, choices=Consent.Purpose.choices)
    categories = models.JSONField(help_text="What was released (Category values).")
    period_start = models.DateField()
    period_end = models.DateField()
    description = models.CharField(max_length=200, help_text="e.g. 'Attendance verification letter'.")
    document = models.BinaryField(help_text="The PDF exactly as issued.")
    document_sha256 = models.CharField(max_length=64)
    method = models.CharField(max_length=20, choices=Method.choices)
    disclosed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    disclosed_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = DisclosureQuerySet.as_manager()

    class Meta:
        ordering = ["-disclosed_at"]
        constraints = [
            models.CheckConstraint(condition=Q(period_start__lte=models.F("period_end")), name="disclosure_period"),
        ]

    def __str__(self):
        return f"Disclosure {self.pk} to {self.recipient}"

    @property
    def category_labels(self):
        return [rules.CATEGORY_LABELS.get(c, c).split(" (")[0] for c in self.categories]

    @property
    def document_intact(self):
        return hashlib.sha256(bytes(self.document)).hexdigest() == self.document_sha256
