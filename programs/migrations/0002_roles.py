"""Create the three staff roles. Their permissions are synced after every migrate
(programs.roles.roles_sync), so models added later are covered too."""

from django.db import migrations

ROLES = ("Therapist", "Case manager", "Program admin")


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("programs", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
