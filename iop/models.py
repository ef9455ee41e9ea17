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
