import pytest

from tests.factories import CheckInFactory, ClientFactory, EpisodeFactory, monday


@pytest.fixture
def this_monday():
    return monday()


@pytest.fixture
def make_episodes(site1, track1, therapist, casemanager):
    """``make_episodes(n, **overrides)``: n active episodes at site 1 (the therapist's by default)."""

    def make(n, **overrides):
        fields = {"site": site1, "track": track1, "primary_therapist": therapist, "case_manager": casemanager}
        fields.update(overrides)
        return [EpisodeFactory(client=ClientFactory(), **fields) for _ in range(n)]

    return make


@pytest.fixture
def signed_checkin(episode1, therapist, this_monday):
    from django.utils import timezone

    return CheckInFactory(
        episode=episode1,
        week=this_monday,
        author=therapist,
        note="Doing well; attended all groups.",
        signed_by=therapist,
        signed_at=timezone.now(),
    )
