from django.conf import settings
from django.db import models
from django.utils import timezone

from audit.lookups import ListsAny, ListsId
from iop import triggers as db_triggers


class AccessEvent(models.Model):
    """Who viewed, exported or printed which client's record, when and from where.

    Written by every view that shows a client; read-only everywhere (HIPAA audit control).
    Holds ids and the path only (never the query string), never clinical content. A page that
    shows many clients writes one row with their ids in ``client_ids``.
    """

    class Action(models.TextChoices):
        VIEW = "view", "Viewed"
        EXPORT = "export", "Exported"
        PRINT = "print", "Printed"
        LIST = "list", "Listed"  # a list page: the clients shown are in client_ids
        DENIED = "denied", "Denied"  # a refused request (403, or 404 of a scoped lookup)

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="access_events")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="access_events", null=True)
    action = models.CharField(max_length=10, choices=Action.choices, default=Action.VIEW)
    path = models.CharField(max_length=300)
    at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)  # set before the hash
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    client_ids = models.JSONField(default=list, blank=True, help_text="Ids of the clients a page showed.")
    status_code = models.PositiveSmallIntegerField(null=True, blank=True, help_text="HTTP status of a denied request.")
    prev_hash = models.CharField(max_length=64, blank=True, editable=False)
    hash = models.CharField(max_length=64, blank=True, editable=False, help_text="Chained: see audit/chain.py.")
    seal = models.PositiveBigIntegerField(
        null=True, blank=True, unique=True, editable=False, help_text="Position in the chain, set once (sealing)."
    )

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["client", "-at"]), models.Index(fields=["user", "-at"])]
        # Written once; the one update a row gets is its sealing (chain fields only, once).
        triggers = db_triggers.sealed_once(prefix="access_event", chain_fields=("prev_hash", "hash", "seal"))

    def __str__(self):
        return f"{self.user} {self.action} {self.client_id} at {self.at:%Y-%m-%d %H:%M}"


AccessEvent._meta.get_field("client_ids").register_lookup(ListsId)
AccessEvent._meta.get_field("client_ids").register_lookup(ListsAny)


class Signature(models.Model):
    """One row per signature (a session note, a check-in), hash-chained like access events:
    which record, the SHA-256 of what was signed, who signed and when. Written by the sign
    services through ``audit.services.signature_record``; never changed."""

    record_type = models.CharField(max_length=60, help_text='The model signed, e.g. "checkins.checkin".')
    record_pk = models.PositiveBigIntegerField()
    sha256 = models.CharField("SHA-256 of the signed content", max_length=64)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    signed_at = models.DateTimeField()
    prev_hash = models.CharField(max_length=64, blank=True, editable=False)
    hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["record_type", "record_pk"], name="signature_one_per_record")]
        triggers = db_triggers.append_only(prefix="signature")

    def __str__(self):
        return f"Signature of {self.record_type} #{self.record_pk} at {self.signed_at:%Y-%m-%d %H:%M}"
