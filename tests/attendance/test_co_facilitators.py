"""Co-facilitators (issue 15): recorded on the roster (staff of the site only), shown on the
session, the Attendance tab and the signed note, and covered by the signature."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from attendance import services
from attendance.models import Session
from programs.roles import CASE_MANAGER, THERAPIST
from tests.attendance.test_views import roster_data, roster_url
from tests.factories import ClientFactory, EpisodeFactory, UserFactory


@pytest.fixture
def colleague(site1):
    return UserFactory(username="cofac", first_name="Rosa", last_name="Park", role=THERAPIST, sites=[site1])


def test_the_roster_records_co_facilitators_and_every_page_shows_them(
    as_therapist, evening, episode1, colleague, casemanager, therapist
):
    data = roster_data(evening, [episode1])
    data["co_facilitators"] = [colleague.pk, casemanager.pk]
    assert as_therapist.post(roster_url(evening), data).status_code == 302
    session = Session.objects.get(pk=evening.pk)
    assert set(session.co_facilitators.all()) == {colleague, casemanager}
    page = as_therapist.get(roster_url(evening)).content.decode()
    assert "co-facilitators" in page and "Rosa Park" in page
    services.session_note_sign(session=session, by=therapist)
    signed = as_therapist.get(roster_url(evening)).content.decode()
    assert "Note signed" in signed and "Rosa Park" in signed
    tab = as_therapist.get(reverse("attendance:client", args=[episode1.client_id])).content.decode()
    assert "co-facilitators" in tab and "Rosa Park" in tab
    session.refresh_from_db()
    assert session.signed_content()["co_facilitators"] == sorted([colleague.username, casemanager.username])
    assert session.signature_check == "intact"


def test_staff_of_another_site_cannot_be_a_co_facilitator(as_therapist, evening, episode1, site2, therapist):
    outsider = UserFactory(username="far", role=CASE_MANAGER, sites=[site2])
    data = roster_data(evening, [episode1])
    data["co_facilitators"] = [outsider.pk]
    response = as_therapist.post(roster_url(evening), data)
    assert response.status_code == 400
    assert not Session.objects.get(pk=evening.pk).co_facilitators.exists()
    with pytest.raises(ValidationError, match="staff member of this session's site"):
        services.roster_save(
            session=evening, entries=[], seen_version=evening.version, by=therapist, co_facilitators=[outsider]
        )


def test_the_facilitator_is_never_their_own_co_facilitator(as_therapist, evening, episode1, therapist, colleague):
    data = roster_data(evening, [episode1])
    data["co_facilitators"] = [colleague.pk]
    as_therapist.post(roster_url(evening), data)
    session = Session.objects.get(pk=evening.pk)
    services.roster_save(
        session=session,
        entries=[],
        seen_version=session.version,
        by=therapist,
        co_facilitators=[therapist, colleague],
    )
    assert list(session.co_facilitators.all()) == [colleague]


def test_a_make_up_search_keeps_the_co_facilitators_ticked(as_therapist, evening, episode1, colleague, site1):
    EpisodeFactory(client=ClientFactory(first_name="Dana", last_name="Reyes"), site=site1, track=None)
    data = roster_data(evening, [episode1])
    data.update(co_facilitators=[colleague.pk], makeup_q="Reyes", makeup_search="1")
    response = as_therapist.post(roster_url(evening), data)
    assert [str(v) for v in response.context["form"]["co_facilitators"].value()] == [str(colleague.pk)]
    assert "checked" in response.content.decode().split("Rosa Park")[0].rsplit("<input", 1)[1]
