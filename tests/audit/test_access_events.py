from django.urls import reverse

from audit.models import AccessEvent


def test_each_view_of_a_client_page_is_one_access_event(as_casemanager, casemanager, episode1):
    url = reverse("clients:detail", args=[episode1.client_id])
    as_casemanager.get(url)
    as_casemanager.get(url)
    events = AccessEvent.objects.filter(client=episode1.client, user=casemanager, action="view")
    assert events.count() == 2
    assert set(events.values_list("path", flat=True)) == {url}


def test_the_client_list_is_not_a_record_view(as_casemanager, episode1):
    assert as_casemanager.get(reverse("clients:list")).status_code == 200
    assert AccessEvent.objects.count() == 0
