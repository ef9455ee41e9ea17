"""Sign-in and permissions: Django's ModelBackend, with a user's permissions read in one query.

Every page checks a permission, and ModelBackend reads a user's permissions in two ORM queries
(their own, then their groups'). Building and running those two was ~2.3 ms of CPU per request,
a tenth of a Progress tab (docs/benchmarks.md, "Sixth pass"). Here it is one statement, written
once per process from the tables' own names. The answers are ModelBackend's (see
tests/accounts/test_backends.py): only the number of queries changes.
"""

from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection

# The path sessions name their backend by. Sessions signed in before this backend existed name
# Django's; accounts/migrations/0001 renames them, so a deploy signs no one out.
PATH = "accounts.backends.StaffBackend"
MODEL_BACKEND_PATH = "django.contrib.auth.backends.ModelBackend"


@cache
def _permissions_sql():
    """SELECT app_label, codename of a user's own permissions and their groups' (user id twice)."""
    q = connection.ops.quote_name
    user_perms = get_user_model().user_permissions.through._meta
    user_groups = get_user_model().groups.through._meta
    group_perms = Group.permissions.through._meta

    def column(meta, name):
        return f"{q(meta.db_table)}.{q(meta.get_field(name).column)}"

    permission, content_type = Permission._meta, ContentType._meta
    # Table and column names from the models' metadata; the user id is a parameter.
    return (
        f"SELECT {column(content_type, 'app_label')}, {column(permission, 'codename')} "  # nosec B608
        f"FROM {q(permission.db_table)} INNER JOIN {q(content_type.db_table)} "
        f"ON {column(permission, 'content_type')} = {column(content_type, 'id')} "
        f"WHERE {column(permission, 'id')} IN ("
        f"SELECT {column(user_perms, 'permission')} FROM {q(user_perms.db_table)} "
        f"WHERE {column(user_perms, 'user')} = %s "
        f"UNION SELECT {column(group_perms, 'permission')} FROM {q(group_perms.db_table)} "
        f"INNER JOIN {q(user_groups.db_table)} ON {column(user_groups, 'group')} = {column(group_perms, 'group')} "
        f"WHERE {column(user_groups, 'user')} = %s)"
    )


class StaffBackend(ModelBackend):
    """ModelBackend (passwords, active users, per-request permission cache) whose
    ``get_all_permissions`` reads the user's and their groups' permissions in one statement."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):  # ModelBackend's cache: one read per request
            user_obj._perm_cache = _permissions_of(user_obj)
        return user_obj._perm_cache


def _permissions_of(user):
    if user.is_superuser:  # as ModelBackend: every permission there is
        rows = Permission.objects.values_list("content_type__app_label", "codename")
    else:
        with connection.cursor() as cursor:
            cursor.execute(_permissions_sql(), [user.pk, user.pk])
            rows = cursor.fetchall()
    return {f"{app_label}.{codename}" for app_label, codename in rows}
