"""The three staff roles and the model permissions each one holds.

Groups are created by a data migration (programs 0002); their permissions are synced from
``ROLE_PERMISSIONS`` after every ``migrate`` so that new models get the right grants.
Nobody is granted ``delete_*`` on clinical models: clinical rows are never hard-deleted.
"""

from fnmatch import fnmatch

THERAPIST = "Therapist"
CASE_MANAGER = "Case manager"
PROGRAM_ADMIN = "Program admin"
ROLES = (THERAPIST, CASE_MANAGER, PROGRAM_ADMIN)

# "app_label.codename" patterns (fnmatch).
CLINICAL_READ = [
    "programs.view_*",
    "clients.view_*",
    "attendance.view_*",
    "screening.view_*",
    "goals.view_*",
    "checkins.view_*",
    "dashboard.view_decision",
    "consents.view_*",
    "letters.view_*",
    "aftercare.view_*",
]
ROLE_PERMISSIONS = {
    THERAPIST: CLINICAL_READ
    + [
        "attendance.add_*",
        "attendance.change_*",
        "screening.add_screen*",
        "screening.change_screen*",
        "goals.add_*",
        "goals.change_*",
        "checkins.add_*",
        "checkins.change_*",
    ],
    CASE_MANAGER: CLINICAL_READ
    + [
        "clients.add_*",
        "clients.change_*",
        "attendance.add_attendancecorrection",  # a signed roster's wrong status, corrected with a reason
        "screening.add_screen*",
        "screening.change_screen*",
        "screening.add_prescription",
        "screening.change_prescription",
        "dashboard.add_decision",
        "dashboard.view_program_report",
        "consents.add_*",
        "consents.change_consent",
        "letters.add_*",
        "aftercare.add_*",
        "aftercare.change_*",
    ],
    PROGRAM_ADMIN: CLINICAL_READ
    + [
        "auth.*_user",
        "auth.view_group",
        "programs.*",
        "clients.add_*",
        "clients.change_*",
        "screening.*_analyte",
        "screening.*_panel",
        "audit.view_accessevent",
        "consents.add_*",
        "consents.change_consent",
        "letters.*_lettertemplate",
        "letters.add_*",
        "dashboard.view_program_report",
        "aftercare.add_*",
        "aftercare.change_*",
        "axes.view_*",
        "axes.delete_accessattempt",
    ],
}
NEVER = ["*.delete_*"]
ALLOWED_DELETES = {"auth.delete_user", "axes.delete_accessattempt"}


def permission_granted(role, perm):
    """Whether ``role`` holds ``perm`` ("app_label.codename")."""
    if any(fnmatch(perm, p) for p in NEVER) and perm not in ALLOWED_DELETES:
        return False
    if ".historical" in perm.replace("_historical", ".historical") and ".view_" not in perm:
        return False  # history rows are written by django-simple-history, never by hand
    return any(fnmatch(perm, pattern) for pattern in ROLE_PERMISSIONS[role])


def roles_sync(group_model, permission_model):
    for role in ROLES:
        group, _ = group_model.objects.get_or_create(name=role)
        perms = permission_model.objects.select_related("content_type")
        wanted = [p for p in perms if permission_granted(role, f"{p.content_type.app_label}.{p.codename}")]
        group.permissions.set(wanted)


def roles_sync_after_migrate(sender, **kwargs):
    from django.apps import apps
    from django.contrib.auth.models import Group, Permission

    # post_migrate is sent for each app with models, in INSTALLED_APPS order: after the last
    # one, every model's permissions exist (whichever app is added at the end later).
    with_models = [a for a in apps.get_app_configs() if a.models_module is not None]
    if sender.label == with_models[-1].label:
        roles_sync(Group, Permission)
