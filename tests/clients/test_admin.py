import pytest
from django.urls import reverse

from clients.models import LevelOfCareChange
from tests.factories import ClientFactory, EpisodeFactory


@pytest.fixture
def level_row(episode1):
    return LevelOfCareChange.objects.create(episode=episode1, level_of_care="IOP", effective_on=episode1.admitted_on)


def test_episode_admin_shows_level_of_care_history_read_only(as_admin, episode1, level_row):
    response = as_admin.get(reverse("admin:clients_episode_change", args=[episode1.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    inline = response.context["inline_admin_formsets"][0]
    assert inline.has_add_permission is False and inline.has_change_permission is False
    assert "IOP (ASAM 2.1)" in page
    assert "level_changes-0-level_of_care" not in page  # shown, not editable


def test_episode_admin_corrects_the_assignment_with_history(as_admin, episode1, casemanager):
    url = reverse("admin:clients_episode_change", args=[episode1.pk])
    response = as_admin.post(
        url,
        {
            "track": episode1.track_id,
            "primary_therapist": "",
            "case_manager": casemanager.pk,
            "required_weekly_hours": "6",
            "level_changes-TOTAL_FORMS": "0",
            "level_changes-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    episode1.refresh_from_db()
    assert (episode1.required_weekly_hours, episode1.primary_therapist) == (6, None)
    assert episode1.history.count() == 2


@pytest.mark.parametrize("model", ["client", "episode", "levelofcarechange"])
def test_clients_and_episodes_are_not_added_or_deleted_in_the_admin(as_admin, episode1, level_row, model):
    obj = {"client": episode1.client, "episode": episode1, "levelofcarechange": level_row}[model]
    assert as_admin.get(reverse(f"admin:clients_{model}_add")).status_code == 403
    assert as_admin.post(reverse(f"admin:clients_{model}_delete", args=[obj.pk]), {"post": "yes"}).status_code == 403
    assert type(obj).objects.filter(pk=obj.pk).exists()


def test_a_site_1_admin_does_not_see_site_2_clients(as_programadmin, episode1, site2):
    EpisodeFactory(client=ClientFactory(mrn="NOR-0001"), site=site2)
    response = as_programadmin.get(reverse("admin:clients_client_changelist"))
    assert [c.mrn for c in response.context["cl"].result_list] == ["RIC-0001"]


def test_client_admin_lists_the_episodes_read_only(as_admin, episode1):
    response = as_admin.get(reverse("admin:clients_client_change", args=[episode1.client_id]))
    assert response.status_code == 200
    assert "RIC-0001-1" in response.content.decode()
    assert reverse("admin:clients_episode_change", args=[episode1.pk]) in response.content.decode()
