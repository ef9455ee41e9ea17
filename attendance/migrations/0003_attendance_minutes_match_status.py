from django.db import migrations, models


class Migration(migrations.Migration):
    """The status/minutes invariant of attendance/rules.py, held by the database (0002 cleaned the rows)."""

    dependencies = [
        ("attendance", "0002_attendance_zero_absence_minutes"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="attendance",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status__in", ["excused", "absent", "cancelled"]), _negated=True),
                    ("minutes_attended", 0),
                    _connector="OR",
                ),
                name="attendance_absence_has_no_minutes",
            ),
        ),
    ]
