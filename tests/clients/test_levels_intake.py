"""Issue 14: an intake takes the level of care's default weekly hours at the site, unless typed."""

from django.urls import reverse

from clients.models import Episode


def test_intake_takes_the_levels_default_hours_unless_typed(as_casemanager, intake_data, site1):
    page = as_casemanager.get(reverse("clients:intake")).content.decode()
    assert "data-level-hours" in page and f"{site1.pk}:PHP" in page
    as_casemanager.post(reverse("clients:intake"), intake_data(**{"episode-level_of_care": "PHP"}))  # "9" as prefilled
    assert Episode.objects.get(client__last_name="Okafor").required_weekly_hours == 20


def test_intake_keeps_hours_typed(as_casemanager, intake_data):
    data = intake_data(**{"episode-level_of_care": "PHP", "episode-required_weekly_hours": "18"})
    as_casemanager.post(reverse("clients:intake"), data)
    assert Episode.objects.get(client__last_name="Okafor").required_weekly_hours == 18
