"""Issue 12 #16: a date of birth of 1900-01-01 (a typo in the year) is a field error at intake."""

from django.urls import reverse

from clients.models import Client


def test_a_date_of_birth_in_1900_is_refused_at_intake(as_casemanager, intake_data):
    response = as_casemanager.post(reverse("clients:intake"), intake_data(**{"client-date_of_birth": "1900-01-01"}))
    assert response.status_code in (200, 400)
    assert "older than 110" in response.content.decode()
    assert not Client.objects.exists()
