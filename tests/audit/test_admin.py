import pytest
from django.contrib import admin
from django.urls import reverse

from audit.models import AccessEvent
from tests.factories import ClientFactory, EpisodeFactory

REGISTERED = sorted(f"{m._meta.app_label}.{m._meta.model_name}" for m in admin.site._registry)


@pytest.fixture
def events(episode1, therapist, therapist2, site2):
    """Two views of a site-1 client and one of a site-2 client."""
    nor = EpisodeFactory(client=ClientFactory(mrn="NOR-0001"), site=site2).client
    return [
        AccessEvent.objects.create(user=therapist, client=episode1.client, path="/clients/1/"),
        AccessEvent.objects.create(user=therapist, client=episode1.client, path="/clients/1/", action="print"),
        AccessEvent.objects.create(user=therapist2, client=nor, path="/clients/2/"),
    ]


@pytest.mark.parametrize("model", REGISTERED)
def test_every_admin_changelist_loads_for_the_program_admin(as_admin, episode1, model):
    app_label, model_name = model.split(".")
    response = as_admin.get(reverse(f"admin:{app_label}_{model_name}_changelist"))
    assert response.status_code == 200


def test_access_events_can_be_filtered_and_searched_by_mrn(as_admin, events, therapist):
    url = reverse("admin:audit_accessevent_changelist")

    def shown(params):
        return {e.pk for e in as_admin.get(url, params).context["cl"].result_list}

    assert shown({"q": "NOR-0001"}) == {events[2].pk}
    assert shown({"action__exact": "print"}) == {events[1].pk}
    assert shown({"user__id__exact": therapist.pk}) == {events[0].pk, events[1].pk}


def test_access_events_are_never_added_changed_or_deleted_in_the_admin(as_admin, events):
    event = events[0]
    assert as_admin.get(reverse("admin:audit_accessevent_add")).status_code == 403
    change = reverse("admin:audit_accessevent_change", args=[event.pk])
    page = as_admin.get(change)
    assert page.status_code == 200  # viewable…
    assert 'name="_save"' not in page.content.decode()  # …but not editable
    assert as_admin.post(change, {"path": "/elsewhere/"}).status_code == 403
    assert as_admin.post(reverse("admin:audit_accessevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    event.refresh_from_db()
    assert event.path == "/clients/1/"
    assert AccessEvent.objects.exclude(action="denied").count() == 3
    assert AccessEvent.objects.filter(action="denied", status_code=403).count() == 3  # each refusal is on record


def test_a_program_admin_of_one_site_sees_only_that_sites_access_events(as_programadmin, events):
    response = as_programadmin.get(reverse("admin:audit_accessevent_changelist"))
    assert response.status_code == 200
    assert {e.pk for e in response.context["cl"].result_list} == {events[0].pk, events[1].pk}
