from django.apps import AppConfig


class ClientsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "clients"

    def ready(self):
        from django.db.models.signals import post_save

        from programs.models import Criteria

        post_save.connect(_criteria_saved, sender=Criteria, dispatch_uid="clients_criteria_inputs_changed")


def _criteria_saved(sender, instance, **kwargs):
    """A site's criteria for a level of care are a marker input of every episode at that site
    and level (an episode is judged by the criteria of its current level)."""
    from clients.services import episodes_inputs_changed

    episodes_inputs_changed(site_levels=[(instance.site_id, instance.level_of_care)])
