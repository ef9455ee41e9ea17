"""Admin building blocks shared by every app's admin.py.

Every admin view is site-scoped: a non-superuser admin reaches only rows of their sites, and
everything else answers exactly as a row that does not exist (404):

- ``ScopedChoicesMixin``: foreign-key and many-to-many choices (drop-downs, raw-id fields,
  their validation) come from the related model's admin ``choices_queryset`` (its scoped
  queryset), so a form never lists nor accepts another site's row.
- ``ScopedAdminMixin``: a missing or out-of-scope object is a 404 on every object view
  (change, delete, history, password…), never the "doesn't exist" redirect; related list
  filters offer only the values of the rows the admin can see.
- ``SiteScopedAdminMixin``: subclasses set ``site_path``, the lookup from the model to its Site
  (e.g. "episode__site"); the changelist, change, actions and autocomplete all go through it.
- ``ScopedHistoryAdmin``: django-simple-history's history list and history detail
  (``history_form_view``) go through the same scoped queryset (out of the box they read the
  history table directly), and a revert (POST on a history detail) needs the right to change
  the object as it is now.
- ``ClinicalAdmin``: all of the above plus no delete (clinical rows are never hard-deleted:
  correct them with "entered in error", an amendment or an addendum).
- ``ReadOnlyAdminMixin`` (audit rows, signed records) and ``LockedWhenMixin`` (a row that
  becomes read-only once signed): corrections go through the app's services.
"""

from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path, unquote
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin


class ScopedChoicesMixin:
    """Choices of relation fields limited to what the related model's admin lets this user see."""

    def get_field_queryset(self, db, db_field, request):
        related_admin = self.admin_site._registry.get(db_field.remote_field.model)
        choices = getattr(related_admin, "choices_queryset", None)
        if choices is None:
            return super().get_field_queryset(db, db_field, request)
        queryset = choices(request).using(db)
        ordering = related_admin.get_ordering(request)
        return queryset.order_by(*ordering) if ordering else queryset


class ScopedAdminMixin(ScopedChoicesMixin):
    def choices_queryset(self, request):
        """The rows of this model another admin's form may offer or accept."""
        return self.get_queryset(request)

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404  # out of scope looks exactly like missing

    def get_list_filter(self, request):
        filters = super().get_list_filter(request)
        if request.user.is_superuser:
            return filters
        return [self._related_only(f) for f in filters]

    def _related_only(self, list_filter):
        if not isinstance(list_filter, str):
            return list_filter
        try:
            field = get_fields_from_path(self.model, list_filter)[-1]
        except FieldDoesNotExist:
            return list_filter
        return (list_filter, admin.RelatedOnlyFieldListFilter) if field.is_relation else list_filter


class SiteScopedAdminMixin(ScopedAdminMixin):
    site_path = None  # e.g. "episode__site"; None = not site-scoped

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser or self.site_path is None:
            return qs
        return qs.filter(**{f"{self.site_path}__staff": request.user}).distinct()


class ScopedHistoryAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    def _object_or_404(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        return obj

    def history_view(self, request, object_id, extra_context=None):
        self._object_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        obj = self._object_or_404(request, object_id)
        if not str(version_id).isdigit():
            raise Http404
        if request.method == "POST" and not self.has_change_permission(request, obj):
            raise PermissionDenied  # a revert is a change
        return super().history_form_view(request, object_id, version_id, extra_context)


class NoDeleteAdminMixin:
    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


class ClinicalAdmin(SiteScopedAdminMixin, NoDeleteAdminMixin, ScopedHistoryAdmin):
    list_per_page = 50


class ReadOnlyAdminMixin:
    """For audit rows and signed records: viewable and filterable, never added, changed or
    deleted. Works on model admins and on inlines (whose permission checks get ``obj``)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class LockedWhenMixin:
    """Read-only once ``is_locked(obj)`` (e.g. signed). On an inline, ``obj`` is the parent
    row, so its inline rows lock with it (no change, no new row)."""

    def is_locked(self, obj):
        raise NotImplementedError

    def has_change_permission(self, request, obj=None):
        return (obj is None or not self.is_locked(obj)) and super().has_change_permission(request, obj)

    def has_add_permission(self, request, *args):
        obj = args[0] if args else None
        return (obj is None or not self.is_locked(obj)) and super().has_add_permission(request, *args)


__all__ = [
    "ClinicalAdmin",
    "LockedWhenMixin",
    "NoDeleteAdminMixin",
    "ReadOnlyAdminMixin",
    "ScopedAdminMixin",
    "ScopedChoicesMixin",
    "ScopedHistoryAdmin",
    "SiteScopedAdminMixin",
    "admin",
]
