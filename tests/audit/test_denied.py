"""Denied attempts: a 403, or a 404 of a scoped lookup, is one "denied" event written after the
request's transaction rolled back (audit.middleware)."""

import pytest
from django.db import connection
from django.urls import reverse

from audit.models import AccessEvent


def test_a_therapist_refused_the_report_leaves_one_denied_event_without_phi(as_therapist, therapist, episode1):
    url = reverse("dashboard:report")
    response = as_therapist.get(url, {"start": "2026-01-01"}, REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 403
    event = AccessEvent.objects.get()
    assert (event.user, event.action, event.status_code, event.path) == (therapist, "denied", 403, url)
    assert (event.client, event.client_ids, event.ip_address) == (None, [], "10.0.0.9")


def test_a_user_of_another_site_opening_a_client_leaves_a_denied_404(as_therapist2, therapist2, episode1):
    url = reverse("attendance:client", args=[episode1.client_id])
    assert as_therapist2.get(url).status_code == 404
    event = AccessEvent.objects.get()
    assert (event.user, event.action, event.status_code, event.path, event.client) == (
        therapist2,
        "denied",
        404,
        url,
        None,
    )


def test_a_missing_url_is_not_a_denied_attempt(as_therapist):
    assert as_therapist.get("/no-such-page/").status_code == 404
    assert AccessEvent.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_refusal_after_the_record_was_opened_keeps_only_the_denied_event(as_therapist, therapist, episode1):
    """Real commits (no test transaction around the request): the edit page opens the record
    (a view event) and then refuses the therapist. The view's event is rolled back with the
    request's transaction; the denied event, written after the rollback, stays."""
    assert connection.settings_dict["ATOMIC_REQUESTS"]
    url = reverse("clients:edit", args=[episode1.client_id])
    assert as_therapist.get(url).status_code == 403
    assert list(AccessEvent.objects.values_list("user", "action", "status_code", "path", "client")) == [
        (therapist.pk, "denied", 403, url, None)
    ]
