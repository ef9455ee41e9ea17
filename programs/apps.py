from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ProgramsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "programs"
    verbose_name = "Program set-up"

    def ready(self):
        from programs.roles import roles_sync_after_migrate

        # Keeps the role groups' permissions in step with the models after every migrate.
        post_migrate.connect(roles_sync_after_migrate, dispatch_uid="programs.roles_sync")
