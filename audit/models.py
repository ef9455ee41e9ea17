from django.conf import settings
from django.db import models

from iop import triggers as db_triggers


class AccessEvent(models.Model):
    """Who viewed, exported or printed which client's record, when and from where.

    Written by every view that shows a client; read-only everywhere (HIPAA audit control).
    Holds ids and the path only, never clinical content.
    """

    class Action(models.TextChoices):
        VIEW = "view", "Viewed"
        EXPORT = "export", "Exported"
        PRINT = "print", "Printed"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="access_events")
    client = models.ForeignKey("clients.Client", on_delete=models.PROTECT, related_name="access_events", null=True)
    action = models.CharField(max_length=10, choices=Action.choices, default=Action.VIEW)
    path = models.CharField(max_length=300)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["client", "-at"]), models.Index(fields=["user", "-at"])]
        triggers = db_triggers.append_only(prefix="access_event")

    def __str__(self):
        return f"{self.user} {self.action} {self.client_id} at {self.at:%Y-%m-%d %H:%M}"
