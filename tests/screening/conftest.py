import datetime as dt

import pytest
from django.utils import timezone

from screening.models import Analyte, Panel


@pytest.fixture
def cup(db):
    """The "12-panel cup" seeded by the data migration."""
    return Panel.objects.prefetch_related("analytes").get(name="12-panel cup")


@pytest.fixture
def analytes(db):
    return {a.code: a for a in Analyte.objects.all()}


def ago(days=0, hours=0, minutes=0):
    """A moment in the past, on the minute (screens are stored to the minute)."""
    return (timezone.now() - dt.timedelta(days=days, hours=hours, minutes=minutes)).replace(second=0, microsecond=0)
