"""#14: hostile values on the Screens tab's small forms give a message, never a 500."""

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from screening import services
from screening.models import ScreenResult
from tests.screening.conftest import ago

pytestmark = pytest.mark.django_db


@pytest.fixture
def http(therapist):
    http = HttpClient(raise_request_exception=False)
    http.force_login(therapist)
    return http


@pytest.fixture
def pending_result(episode1, cup, analytes, therapist):
    screen = services.screen_record(
        episode=episode1,
        collected_at=ago(1),
        by=therapist,
        panel=cup,
        results={analytes["COC"].pk: "positive"},
        send_for_confirmation=True,
    )
    return screen.results.get(analyte=analytes["COC"])


@pytest.mark.parametrize(
    "nxt",
    ["ab", "clients:list", "https://evil.example/", "//evil.example/x", "/\n/evil", "/ok\x00", "javascript:alert(1)"],
)
def test_a_bad_next_falls_back_to_the_screens_tab_and_keeps_the_confirmation(http, pending_result, episode1, nxt):
    response = http.post(
        reverse("screening:result_confirm", args=[pending_result.pk]),
        {"confirmation": "confirmed_negative", "seen": "pending", "next": nxt},
    )
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("/") and not location.startswith("//") and "evil.example/" not in location[:20]
    pending_result.refresh_from_db()
    assert pending_result.confirmation == ScreenResult.Confirmation.CONFIRMED_NEGATIVE  # not rolled back


def test_a_good_next_is_followed(http, pending_result):
    response = http.post(
        reverse("screening:result_send", args=[pending_result.pk]), {"next": reverse("screening:pending")}
    )
    assert response.status_code == 302 and response["Location"] == reverse("screening:pending")


@pytest.mark.parametrize("reason", ["Wrong cup\x00", "x" * 201, "   "])
def test_a_bad_reason_for_entered_in_error_is_refused_with_a_message(http, episode1, cup, therapist, reason):
    screen = services.screen_record(episode=episode1, collected_at=ago(1), by=therapist, panel=cup)
    response = http.post(reverse("screening:screen_error", args=[screen.pk]), {"reason": reason}, follow=True)
    assert response.status_code == 200
    assert "The screen was not marked" in response.content.decode()
    screen.refresh_from_db()
    assert not screen.entered_in_error
