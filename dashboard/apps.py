from django.apps import AppConfig


class DashboardConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dashboard"

    def ready(self):
        from django.db.models.signals import post_save

        from screening.models import Analyte

        post_save.connect(_analyte_saved, sender=Analyte, dispatch_uid="dashboard_analyte_history_stale")


def _analyte_saved(sender, instance, **kwargs):
    """The cached histories name each positive result by its analyte's code, which no episode's
    ``inputs_version`` covers (it is no marker input): a saved analyte (an admin's edit, rare)
    clears them all, and each is recomputed on its next Progress view."""
    from dashboard.models import HistorySnapshot

    HistorySnapshot.objects.all().delete()
