"""Issue 12 #9: one submit is one record. Each create form carries a one-time key rendered with
the page; the same POST twice (double click, retry) writes one row and the repeat is sent to
what the first one saved."""

import datetime as dt
import io
import re
import threading
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from attendance.models import Attendance, Session, SessionAddendum
from checkins.models import Addendum
from clients.models import Client
from dashboard.models import Decision
from goals.models import Goal
from iop.models import SubmissionKey
from screening.models import Prescription
from tests.factories import AnalyteFactory, CheckInFactory, SessionFactory, monday

KEY = re.compile(r'name="submission_key" value="([0-9a-f-]{36})"')


def _key(http, url, action=None):
    """The key of the (only) create form on the page at ``url`` (of the form posting to
    ``action`` when the page has several, e.g. the Attendance tab's log and schedule forms)."""
    html = http.get(url).content.decode()
    if action is not None:
        forms = [f for f in html.split("<form")[1:] if f'action="{action}"' in f.split(">", 1)[0]]
        assert len(forms) == 1, action
        html = forms[0].split("</form>", 1)[0]
    keys = KEY.findall(html)
    assert len(keys) == 1, keys
    return keys[0]


def _twice(http, page_url, post_url, data, *, several_forms=False):
    data = {**data, "submission_key": _key(http, page_url, post_url if several_forms else None)}
    first, second = http.post(post_url, data), http.post(post_url, data)
    assert first.status_code == 302, first.content.decode()[-2000:]
    assert (second.status_code, second.url) == (302, first.url)
    return first


def test_each_render_of_a_form_has_a_new_key(as_therapist, episode1):
    url = reverse("goals:goal_add", args=[episode1.pk])
    assert _key(as_therapist, url) != _key(as_therapist, url)


def test_intake_twice_admits_one_client(as_casemanager, intake_data):
    url = reverse("clients:intake")
    _twice(as_casemanager, url, url, intake_data())
    assert Client.objects.filter(last_name="Okafor").count() == 1


def test_continue_decision_twice_is_one_decision(as_casemanager, episode1):
    url = reverse("dashboard:decision_new", args=[episode1.client_id])
    data = {"kind": "continue", "decided_on": timezone.localdate().isoformat(), "rationale": "Team meeting."}
    _twice(as_casemanager, url, url, data)
    assert Decision.objects.count() == 1


def test_individual_session_twice_is_one_session(as_therapist, episode1):
    data = {
        "kind": "individual",
        "date": timezone.localdate().isoformat(),
        "start_time": "15:00",
        "duration_minutes": 50,
        "status": "present",
    }
    page = reverse("attendance:client", args=[episode1.client_id])
    log = reverse("attendance:individual_log", args=[episode1.client_id])
    _twice(as_therapist, page, log, data, several_forms=True)
    assert Attendance.objects.filter(episode=episode1).count() == 1
    assert Session.objects.count() == 1


def test_session_addendum_twice_is_one_addendum(as_therapist, site1, track1, therapist):
    session = SessionFactory(
        site=site1, track=track1, group_note="Held.", note_signed_at=timezone.now(), note_signed_by=therapist
    )
    page = reverse("attendance:session", args=[session.pk])
    _twice(as_therapist, page, reverse("attendance:session_addendum", args=[session.pk]), {"text": "Late note."})
    assert SessionAddendum.objects.count() == 1


def test_checkin_addendum_twice_is_one_addendum(as_therapist, episode1, therapist):
    week = monday()
    checkin = CheckInFactory(
        episode=episode1, week=week, author=therapist, signed_by=therapist, signed_at=timezone.now()
    )
    page = reverse("checkins:week", args=[episode1.pk, week.isoformat()])
    _twice(as_therapist, page, reverse("checkins:addendum", args=[checkin.pk]), {"text": "Disclosed a lapse."})
    assert Addendum.objects.count() == 1


def test_prescription_twice_is_one_prescription(as_casemanager, episode1):
    bup = AnalyteFactory(code="BUP", name="Buprenorphine")
    data = {"medication": "Suboxone 8/2 mg", "analyte": bup.pk, "start": episode1.admitted_on.isoformat()}
    page = reverse("screening:client", args=[episode1.client_id])
    _twice(as_casemanager, page, reverse("screening:prescription_add", args=[episode1.client_id]), data)
    assert Prescription.objects.count() == 1


def test_goal_twice_is_one_goal(as_therapist, episode1):
    url = reverse("goals:goal_add", args=[episode1.pk])
    data = {"area": "family", "statement": "Eat dinner with my kids", "objective": "Three evenings a week"}
    _twice(as_therapist, url, url, data)
    assert Goal.objects.count() == 1


def test_session_without_a_track_twice_is_one_session(as_therapist, site1):
    url = reverse("attendance:session_create")
    data = {
        "site": site1.pk,
        "track": "",
        "kind": "skills",
        "date": timezone.localdate().isoformat(),
        "start_time": "10:00",
        "duration_minutes": 90,
        "topic": "Refusal skills",
        "status": "scheduled",
    }
    _twice(as_therapist, url, url, data)
    assert Session.objects.count() == 1


def test_a_refused_submit_leaves_the_key_free_for_the_corrected_form(as_therapist, episode1):
    url = reverse("goals:goal_add", args=[episode1.pk])
    key = _key(as_therapist, url)
    refused = as_therapist.post(url, {"area": "family", "statement": "", "submission_key": key})
    assert refused.status_code == 200 and not Goal.objects.exists()
    data = {"area": "family", "statement": "Eat dinner with my kids", "objective": "Three evenings a week"}
    data["submission_key"] = key
    assert as_therapist.post(url, data).status_code == 302
    assert Goal.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent requests need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_intake_from_two_threads_at_once_admits_one_client(casemanager, intake_data):
    url = reverse("clients:intake")
    page = HttpClient()
    page.force_login(casemanager)
    data = {**intake_data(), "submission_key": _key(page, url)}
    start, responses = threading.Barrier(2), []

    def post():
        http = HttpClient()
        http.force_login(casemanager)
        start.wait()
        responses.append(http.post(url, data))
        connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.status_code for r in responses) == [302, 302]
    assert responses[0].url == responses[1].url
    assert Client.objects.filter(last_name="Okafor").count() == 1
    assert SubmissionKey.objects.count() == 1


def test_prune_submission_keys_forgets_only_keys_older_than_its_window(db, therapist):
    old = SubmissionKey.objects.create(key=uuid.uuid4(), user=therapist, result_url="/a/")
    recent = SubmissionKey.objects.create(key=uuid.uuid4(), user=therapist, result_url="/b/")
    SubmissionKey.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=31))
    SubmissionKey.objects.filter(pk=recent.pk).update(created_at=timezone.now() - dt.timedelta(days=29))
    out = io.StringIO()

    call_command("prune_submission_keys", stdout=out)

    assert list(SubmissionKey.objects.values_list("pk", flat=True)) == [recent.pk]
    assert "Deleted 1 submission key(s) older than 30 days." in out.getvalue()
    with pytest.raises(CommandError, match="at least 1"):
        call_command("prune_submission_keys", "--days", "0")
    assert SubmissionKey.objects.count() == 1
