import datetime as dt

import pytest

from goals import services
from tests.factories import monday


@pytest.fixture
def this_week():
    return monday()


@pytest.fixture
def last_week(this_week):
    return this_week - dt.timedelta(weeks=1)


@pytest.fixture
def two_goals(episode1, therapist):
    """G1 and G2 on episode1, set by the therapist."""
    return [
        services.goal_add(
            episode=episode1,
            area="substance_use",
            statement="Stay sober at work events",
            objective="Leaves work parties sober, 4 weeks running",
            by=therapist,
        ),
        services.goal_add(
            episode=episode1,
            area="family",
            statement="Eat dinner with my kids",
            objective="Family dinner 3 nights a week",
            by=therapist,
        ),
    ]
