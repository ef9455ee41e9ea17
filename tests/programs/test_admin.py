from django.urls import reverse

from programs.models import Criteria, Site, Track
from tests.factories import TrackFactory


def test_program_admin_sees_and_edits_only_their_sites(as_programadmin, site1, site2):
    client = as_programadmin
    TrackFactory(site=site2, code="NOR-EVE")

    sites = client.get(reverse("admin:programs_site_changelist")).context["cl"].result_list
    tracks = client.get(reverse("admin:programs_track_changelist")).context["cl"].result_list

    assert [s.code for s in sites] == ["RIC"]
    assert all(t.site == site1 for t in tracks)
    assert (
        client.get(reverse("admin:programs_site_change", args=[site2.pk])).status_code == 404
    )  # as if it did not exist


def test_program_admin_sets_a_sites_criteria(as_programadmin, site1, site2):
    client = as_programadmin
    add = reverse("admin:programs_criteria_add")
    assert list(client.get(add).context["adminform"].form.fields["site"].queryset) == [site1]
    data = {f.name: f.default for f in Criteria._meta.fields if f.name not in ("id", "site")}
    data.update(site=site1.pk, step_down_min_weeks=8)

    response = client.post(add, data)

    assert response.status_code == 302
    assert Criteria.objects.get(site=site1).step_down_min_weeks == 8
    assert Criteria.history.count() == 1


def test_program_admin_adds_a_track_to_their_site(as_programadmin, site1):
    response = as_programadmin.post(
        reverse("admin:programs_track_add"),
        {
            "site": site1.pk,
            "code": "RIC-MID",
            "name": "Midday",
            "weekdays": '["mon", "wed", "fri"]',
            "start_time": "11:00",
            "end_time": "14:00",
            "cadence": "weekly",  # preselected on the form
            "active": "on",
        },
    )
    assert response.status_code == 302
    assert Track.objects.get(code="RIC-MID").site == site1


def test_sites_cannot_be_deleted_from_the_admin(as_admin, site1):
    assert as_admin.post(reverse("admin:programs_site_delete", args=[site1.pk]), {"post": "yes"}).status_code == 403
    assert Site.objects.filter(pk=site1.pk).exists()
