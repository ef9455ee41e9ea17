"""The access log reviewed inside the app (program admins and superusers only)."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessEvent
from programs.roles import PROGRAM_ADMIN
from tests.conftest import _login
from tests.factories import ClientFactory, EpisodeFactory, UserFactory

URL = reverse("audit:events")
CSV_URL = reverse("audit:events_csv")


@pytest.fixture
def admin_ric(site1):
    return UserFactory(username="admin_ric", role=PROGRAM_ADMIN, sites=[site1], is_staff=True)


@pytest.fixture
def as_admin_ric(admin_ric):
    return _login(admin_ric)


@pytest.fixture
def nor_client(site2):
    return EpisodeFactory(client=ClientFactory(mrn="NOR-0001", first_name="Ben", last_name="Norr"), site=site2).client


@pytest.fixture
def log(episode1, nor_client, therapist, therapist2, casemanager):
    """Events of both sites: views, a list, denied attempts."""
    ana = episode1.client
    make = AccessEvent.objects.create
    return {
        "ana_by_therapist": make(user=therapist, client=ana, path=f"/clients/{ana.pk}/"),
        "ana_printed": make(user=casemanager, client=ana, path=f"/clients/{ana.pk}/", action="print"),
        "list_by_casemanager": make(user=casemanager, path="/clients/", action="list", client_ids=[ana.pk]),
        "denied_therapist": make(user=therapist, path="/report/", action="denied", status_code=403),
        "nor_by_therapist2": make(user=therapist2, client=nor_client, path=f"/clients/{nor_client.pk}/"),
        "denied_therapist2": make(user=therapist2, path="/report/", action="denied", status_code=403),
    }


def _shown(response):
    return {row["event"].pk for row in response.context["rows"]}


def _pks(log, *names):
    return {log[n].pk for n in names}


SITE1 = ("ana_by_therapist", "ana_printed", "list_by_casemanager", "denied_therapist")


@pytest.mark.parametrize("persona", ["as_therapist", "as_casemanager"])
def test_clinical_staff_are_refused_the_access_log(request, persona, log):
    http = request.getfixturevalue(persona)
    assert http.get(URL).status_code == 403
    assert http.get(CSV_URL).status_code == 403
    assert AccessEvent.objects.filter(action="denied", path=URL).count() == 1  # the refusal is on record


def test_a_site_1_program_admin_sees_only_site_1_events(as_admin_ric, log):
    response = as_admin_ric.get(URL)
    assert response.status_code == 200
    shown = _shown(response)
    assert _pks(log, *SITE1) <= shown
    assert not shown & _pks(log, "nor_by_therapist2", "denied_therapist2")
    page = response.content.decode()
    assert "RIC-0001" in page and "NOR-0001" not in page


def test_a_superuser_sees_every_site(as_admin, log):
    assert _pks(log, *log) <= _shown(as_admin.get(URL))


def test_the_review_page_is_itself_an_access_event(as_admin_ric, admin_ric, log, episode1):
    as_admin_ric.get(URL)
    event = AccessEvent.objects.get(user=admin_ric)
    assert (event.action, event.path, event.client_ids) == ("list", URL, [episode1.client_id])


def test_an_event_listing_a_site_1_client_is_seen_even_if_its_user_left_the_site(as_admin_ric, episode1, therapist2):
    listed = AccessEvent.objects.create(user=therapist2, path="/admin/", action="view", client_ids=[episode1.client_id])
    assert listed.pk in _shown(as_admin_ric.get(URL))


def test_filter_by_user_action_and_period(as_admin_ric, log, therapist, episode1):
    assert _shown(as_admin_ric.get(URL, {"user": therapist.pk})) == _pks(log, "ana_by_therapist", "denied_therapist")
    assert _shown(as_admin_ric.get(URL, {"action": "denied"})) == _pks(log, "denied_therapist")
    ten_days_ago = timezone.now() - dt.timedelta(days=10)
    older = AccessEvent.objects.create(user=therapist, client=episode1.client, path="/clients/1/", at=ten_days_ago)
    day = timezone.localtime(ten_days_ago).date().isoformat()
    assert _shown(as_admin_ric.get(URL, {"date_from": day, "date_to": day})) == {older.pk}
    recent = _shown(as_admin_ric.get(URL, {"date_from": timezone.localdate().isoformat()}))
    assert older.pk not in recent and log["ana_by_therapist"].pk in recent


def test_filter_by_mrn_goes_by_post_and_the_page_by_client_id(as_admin_ric, log, episode1):
    response = as_admin_ric.post(URL, {"mrn": "ric-0001"})
    assert response.status_code == 302
    assert response["Location"] == f"{URL}?client={episode1.client_id}"  # no MRN in any URL
    page = as_admin_ric.get(response["Location"])
    assert _shown(page) == _pks(log, "ana_by_therapist", "ana_printed", "list_by_casemanager")
    assert 'value="RIC-0001"' in page.content.decode()


def test_an_mrn_of_another_site_is_unknown(as_admin_ric, log):
    response = as_admin_ric.post(URL, {"mrn": "NOR-0001"})
    assert response.status_code == 400
    assert "No client with this MRN at your sites." in response.content.decode()
    assert as_admin_ric.get(URL, {"client": log["nor_by_therapist2"].client_id}).context["form"].errors


def test_a_period_that_ends_before_it_starts_is_an_error(as_admin_ric, log):
    response = as_admin_ric.post(URL, {"date_from": "2026-03-02", "date_to": "2026-03-01"})
    assert response.status_code == 400
    assert "The end of the period is before its start." in response.content.decode()


def test_the_log_is_paged_by_50(as_admin_ric, therapist, episode1):
    AccessEvent.objects.bulk_create(
        AccessEvent(user=therapist, client=episode1.client, path="/clients/1/") for _ in range(60)
    )
    assert len(as_admin_ric.get(URL).context["rows"]) == 50
    assert len(as_admin_ric.get(URL, {"page": 2}).context["rows"]) == 11  # + the first page's own event


def test_the_query_count_is_the_same_for_3_and_30_events(as_admin_ric, therapist, site1, django_assert_num_queries):
    # 1 session, 2 user, 3 the verified two-factor device, 4 SAVEPOINT, 5 permissions (user's and
    # groups', one query), 6 count, 7 the page of events (+ user), 8 their clients' MRNs, 9 the
    # page's access event, 10 user filter choices, 11 RELEASE.
    def add(n):
        for _ in range(n):
            client = EpisodeFactory(site=site1).client
            AccessEvent.objects.create(user=therapist, client=client, path="/x/")
            AccessEvent.objects.create(user=therapist, path="/clients/", action="list", client_ids=[client.pk])

    add(3)
    with django_assert_num_queries(11):  # event sealed after commit (audit/chain.py)
        assert len(as_admin_ric.get(URL).context["rows"]) == 6
    add(12)
    with django_assert_num_queries(11):  # event sealed after commit (audit/chain.py)
        assert len(as_admin_ric.get(URL).context["rows"]) == 31  # 30 + the first page view's own event


def test_the_csv_export_holds_the_filtered_events_and_is_logged(as_admin_ric, admin_ric, log, episode1):
    response = as_admin_ric.get(CSV_URL, {"client": episode1.client_id})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["When", "User", "Action"]
    assert sorted((r[1], r[2], r[4]) for r in rows[1:]) == [
        ("casemanager", "list", ""),
        ("casemanager", "print", "RIC-0001"),
        ("therapist", "view", "RIC-0001"),
    ]
    listed = next(r for r in rows[1:] if r[2] == "list")
    assert (listed[5], listed[6]) == ("RIC-0001", "1")
    export = AccessEvent.objects.get(user=admin_ric)
    assert (export.action, export.path, export.client_ids) == ("export", CSV_URL, [episode1.client_id])


def test_the_nav_links_the_access_log_for_program_admins_only(as_admin_ric, as_therapist, episode1):
    assert f'href="{URL}"' in as_admin_ric.get(reverse("clients:list")).content.decode()
    assert f'href="{URL}"' not in as_therapist.get(reverse("clients:list")).content.decode()


# --- who opened this record ------------------------------------------------------------------


def test_who_opened_this_record_lists_the_clients_events(as_admin_ric, admin_ric, log, episode1):
    record = reverse("clients:detail", args=[episode1.client_id])
    assert reverse("audit:client", args=[episode1.client_id]) in as_admin_ric.get(record).content.decode()
    response = as_admin_ric.get(reverse("audit:client", args=[episode1.client_id]))
    assert response.status_code == 200
    shown = {e.pk for e in response.context["events"]}
    assert _pks(log, "ana_by_therapist", "ana_printed") <= shown
    assert not shown & _pks(log, "list_by_casemanager", "denied_therapist", "nor_by_therapist2")  # lists: a link away
    page = response.content.decode()
    assert "Who opened this record" in page and "therapist" in page and "Printed" in page
    assert f"?client={episode1.client_id}&amp;action=list" in page


def test_who_opened_this_record_includes_the_admin_pages_of_the_client(as_admin_ric, as_admin, episode1):
    admin_page = reverse("admin:clients_client_change", args=[episode1.client_id])
    assert as_admin.get(admin_page).status_code == 200
    response = as_admin_ric.get(reverse("audit:client", args=[episode1.client_id]))
    assert admin_page in [e.path for e in response.context["events"]]


def test_who_opened_this_record_is_refused_to_a_therapist_and_hidden_from_other_sites(
    as_therapist, as_admin_ric, log, nor_client, episode1
):
    assert as_therapist.get(reverse("audit:client", args=[episode1.client_id])).status_code == 403
    assert (
        "Who opened this record"
        not in as_therapist.get(reverse("clients:detail", args=[episode1.client_id])).content.decode()
    )
    assert as_admin_ric.get(reverse("audit:client", args=[nor_client.pk])).status_code == 404
