"""Issue 11: the database holds the status/minutes invariant, so no path (admin, import, raw
ORM) can record minutes attended for an absence."""

import pytest
from django.db import IntegrityError, transaction

from attendance.models import Attendance
from tests.factories import AttendanceFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("status", ["absent", "excused", "cancelled"])
def test_an_absence_with_minutes_is_refused_by_the_database(status):
    row = AttendanceFactory(status=status)
    assert row.minutes_attended == 0
    with pytest.raises(IntegrityError), transaction.atomic():
        Attendance.objects.filter(pk=row.pk).update(minutes_attended=30)
    row.refresh_from_db()
    assert row.minutes_attended == 0


@pytest.mark.parametrize("status", ["present", "late", "left_early"])
def test_attended_rows_keep_their_minutes(status):
    row = AttendanceFactory(status=status)
    Attendance.objects.filter(pk=row.pk).update(minutes_attended=45)
    row.refresh_from_db()
    assert row.minutes_attended == 45
