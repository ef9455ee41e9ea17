"""Admin building blocks shared by every app's admin.py.

- ``ClinicalAdmin``: history (django-simple-history), no delete (clinical rows are never
  hard-deleted: correct them with "entered in error", an amendment or an addendum), and
  site scoping: a non-superuser admin sees only rows of their sites.
- Subclasses set ``site_path``: the lookup from the model to its Site (e.g. "episode__site").
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin


class SiteScopedAdminMixin:
    site_path = None  # e.g. "episode__site"; None = not site-scoped

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser or self.site_path is None:
            return qs
        return qs.filter(**{f"{self.site_path}__staff": request.user}).distinct()


class NoDeleteAdminMixin:
    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


class ClinicalAdmin(SiteScopedAdminMixin, NoDeleteAdminMixin, SimpleHistoryAdmin):
    list_per_page = 50


class ReadOnlyAdminMixin:
    """For audit rows: viewable and filterable, never added, changed or deleted."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


__all__ = ["ClinicalAdmin", "NoDeleteAdminMixin", "ReadOnlyAdminMixin", "SiteScopedAdminMixin", "admin"]
