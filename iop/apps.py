from django.apps import AppConfig


class IopConfig(AppConfig):
    """The cross-cutting bottom layer: shared forms, dates, admin blocks and submission keys."""

    name = "iop"
    verbose_name = "IOP"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from iop import lookups  # noqa: F401 (registers __any_of)
