from django.conf import settings
from django.db import models

from audit.lookups import ListsAny, ListsId


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
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    client_ids = models.JSONField(default=list, blank=True, help_text="Ids of the clients a page showed.")
    status_code = models.PositiveSmallIntegerField(null=True, blank=True, help_text="HTTP status of a denied request.")

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["client", "-at"]), models.Index(fields=["user", "-at"])]

    def __str__(self):
        return f"{self.user} {self.action} {self.client_id} at {self.at:%Y-%m-%d %H:%M}"


AccessEvent._meta.get_field("client_ids").register_lookup(ListsId)
AccessEvent._meta.get_field("client_ids").register_lookup(ListsAny)
