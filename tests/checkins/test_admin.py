"""Check-ins and their addenda are read-only in the admin; its pages open (issue 12 #3, #8)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from checkins.models import Addendum
from tests.factories import CheckInFactory


@pytest.fixture
def signed(episode1, therapist):
    checkin = CheckInFactory(episode=episode1, author=therapist, signed_at=timezone.now(), signed_by=therapist)
    Addendum.objects.create(checkin=checkin, text="Called back.", author=therapist)
    return checkin


def test_a_signed_checkin_page_opens_and_shows_its_addendum_read_only(as_admin, signed):
    response = as_admin.get(reverse("admin:checkins_checkin_change", args=[signed.pk]))

    assert response.status_code == 200  # was a 500: the inline's has_add_permission(request, obj)
    page = response.content.decode()
    assert "Called back." in page
    assert 'name="_save"' not in page and 'name="addenda-0-text"' not in page


def test_a_signed_checkin_and_its_addenda_do_not_change_through_the_admin(as_admin, signed):
    addendum = signed.addenda.get()

    responses = [
        as_admin.post(reverse("admin:checkins_checkin_change", args=[signed.pk]), {"cravings": "9"}),
        as_admin.post(reverse("admin:checkins_addendum_change", args=[addendum.pk]), {"text": "Rewritten."}),
        as_admin.post(reverse("admin:checkins_addendum_add"), {"checkin": signed.pk, "text": "x"}),
    ]

    assert [r.status_code for r in responses] == [403, 403, 403]
    signed.refresh_from_db()
    addendum.refresh_from_db()
    assert (signed.cravings, addendum.text, Addendum.objects.count()) == (2, "Called back.", 1)
