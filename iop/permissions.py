from django.core.exceptions import PermissionDenied


def perms_require(user, *perms):
    """403 unless ``user`` holds every permission in ``perms`` ("app_label.codename")."""
    if not user.has_perms(perms):
        raise PermissionDenied
