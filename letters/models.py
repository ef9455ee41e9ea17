"""Letterheads and wording of the letters a site issues (program admins edit them in the admin).

A letter itself is a consents.Disclosure: its PDF, what it released and under which consent."""

from django.db import models

from consents.models import private_storage
from programs.models import Site


class LetterKind(models.TextChoices):
    ATTENDANCE = "attendance", "Attendance verification"
    PROGRESS = "progress", "Progress letter"
    COMPLETION = "completion", "Treatment completion / step-down letter"


class LetterTemplate(models.Model):
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="letter_templates")
    kind = models.CharField(max_length=12, choices=LetterKind.choices)
    letterhead_name = models.CharField(max_length=200, help_text="e.g. 'Richmond Intensive Outpatient Program'.")
    letterhead_address = models.CharField(max_length=300, blank=True)
    letterhead_phone = models.CharField(max_length=40, blank=True)
    logo = models.ImageField(
        storage=private_storage, upload_to="letterheads/", blank=True, help_text="PNG or JPEG, shown top left."
    )
    opening = models.TextField(
        blank=True, help_text="The first paragraph. {client} and {period} are replaced by the client and the period."
    )
    closing = models.TextField(blank=True, help_text="The last paragraph, before the signature.")
    signer_name = models.CharField(max_length=120, blank=True)
    signer_credentials = models.CharField(max_length=120, blank=True, help_text="e.g. 'LCSW, Program Director'.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["site", "kind"], name="one_letter_template_per_site_kind")]

    def __str__(self):
        return f"{self.site} · {self.get_kind_display()}"
