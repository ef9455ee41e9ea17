from django.conf import settings
from django.db import models


class SubmissionKey(models.Model):
    """A create form's one-time key, claimed by the first POST that carries it (unique), with
    the page that POST led to. A repeat of the form (double click, retry) finds the key taken
    and is sent to that page instead of writing a second record."""

    key = models.UUIDField(unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    result_url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return str(self.key)


class DemoDataset(models.Model):
    """What ``seed_demo`` built, and for which day (one row; none outside demo databases).

    The demo's stories are told relative to the day they were built for ("admitted 8 weeks
    ago", "screened on Tuesday"); after a week they no longer read as designed, so ``make run``
    rebuilds a demo database older than that (``seed_demo``; docs/demo.md). ``last_client_id``
    tells the demo's clients from any a person added since: a database holding those is not
    rebuilt."""

    built_for = models.DateField()
    built_at = models.DateTimeField(auto_now=True)
    clients = models.PositiveIntegerField(help_text="--clients (bulk episodes) of the build; 0: the cast only.")
    weeks = models.PositiveIntegerField(help_text="The --weeks of those bulk episodes; 0: none.")
    seed = models.IntegerField()
    last_client_id = models.PositiveBigIntegerField(default=0)

    def __str__(self):
        return f"Demo data built for {self.built_for}"


class CoSignature(models.Model):
    """The co-signature of a signed record (check-in, group note) whose author needs one.

    Signing records the supervisor named then (``programs.Supervision``); co-signing records
    who and when, and nothing else: the signed text and its SHA-256 stay as they are (the
    co-signature columns are outside ``signed_content``). On PostgreSQL the signed-row trigger
    lets these columns change once, until ``cosigned_at`` is set (iop.triggers)."""

    cosign_supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who must co-sign (the author's supervisor when it was signed); empty = no co-signature needed.",
    )
    cosigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cosigned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def awaiting_cosignature(self):
        return self.cosign_supervisor_id is not None and self.cosigned_at is None
