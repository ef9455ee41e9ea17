import datetime as dt
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessEvent
from dashboard.history import evidence_summary
from dashboard.models import Decision
from dashboard.queries import QUERIES_PER_EVALUATION
from dashboard.services import decision_record
from tests.dashboard.progress_data import history_build
from tests.factories import EpisodeFactory


def _url(episode):
    return reverse("dashboard:progress", args=[episode.client_id])


def test_progress_explains_every_criterion_in_words(as_casemanager, episode1, therapist, casemanager):
    history_build(episode1, weeks=6, author=therapist)

    response = as_casemanager.get(_url(episode1))

    assert response.status_code == 200
    text = response.text
    assert 'Step-down readiness <span class="badge text-bg-success">Ready</span>' in text
    assert "Graduation readiness" in text
    assert "8 weeks in the program (6 required)" in text
    assert "7 negative screens in a row over" in text
    assert "100% attendance over the last 28 days" in text
    assert re.search(r"Latest signed check-in, week of \d\d/\d\d/\d{4}, recommends step down", text)
    assert "Record a decision" in text
    assert AccessEvent.objects.filter(user=casemanager, client=episode1.client).count() == 1


def test_progress_shows_the_flags(as_casemanager, episode1):
    response = as_casemanager.get(_url(episode1))
    assert "Screen overdue" in response.text
    assert "Check-in overdue" in response.text


def test_progress_tables_carry_the_chart_numbers(as_casemanager, episode1, therapist):
    history_build(episode1, weeks=3, author=therapist)
    response = as_casemanager.get(_url(episode1))
    history = response.context["history"]
    full_weeks = [w for w in history["hours"] if w["hours"] == 9.0]
    assert len(full_weeks) >= 3
    assert all(w["met"] for w in full_weeks)
    assert [s["label"] for s in history["screens"]] == ["Negative"] * 4
    assert [ref for ref, _ in history["goals"]] == ["G1", "G2"]
    assert history["checkins"][-1]["phq9"] == 4 and history["checkins"][-1]["gad7"] == 3
    found = re.search(r'<script id="progress-data" type="application/json">(.*?)</script>', response.text)
    data = json.loads(found.group(1))
    assert data["hours"]["required"] == 9.0
    assert len(data["hours"]["labels"]) == len(history["hours"])
    assert 'id="progress-data"' in response.text
    assert "vendor/chart.js/chart.umd.js" in response.text
    assert "js/progress.js" in response.text


def test_progress_lists_decisions_with_evidence_and_the_override_badge(as_casemanager, episode1, casemanager):
    decision_record(
        episode=episode1,
        kind=Decision.Kind.GRADUATE,
        rationale="Moving out of state; graduating with a referral to a local program.",
        by=casemanager,
        decided_on=timezone.localdate(),
    )
    response = as_casemanager.get(_url(episode1))
    assert "Override of the markers" in response.text
    assert "Evidence: Step-down not ready; graduation not ready; week 8" in response.text
    assert "markers are computed for active episodes only" in response.text
    assert "Record a decision" not in response.text


def test_therapist_sees_progress_but_no_decision_button(as_therapist, episode1):
    response = as_therapist.get(_url(episode1))
    assert response.status_code == 200
    assert "Step-down readiness" in response.text
    assert "Record a decision" not in response.text


def test_progress_of_a_client_without_episodes_says_so(as_admin):
    from tests.factories import ClientFactory

    client = ClientFactory()
    response = as_admin.get(reverse("dashboard:progress", args=[client.pk]))
    assert response.status_code == 200
    assert "No episode on record." in response.text
    assert "chart.umd.js" not in response.text


def test_progress_of_a_client_of_another_site_is_not_found(as_therapist2, episode1):
    assert as_therapist2.get(_url(episode1)).status_code == 404


@pytest.mark.parametrize(
    "evidence, expected",
    [
        ({}, "No markers recorded."),
        (
            {
                "markers": {
                    "weeks_in_program": 7,
                    "attendance_rate_4w": 0.9,
                    "negative_streak": 4,
                    "goals_on_track": None,
                },
                "step_down": {"status": "ready"},
                "graduation": {"status": "not_ready"},
                "flags": ["hours_short"],
            },
            "Step-down ready; graduation not ready; week 7; attendance 90%; 4 negative screens in a row; "
            "flags: hours short.",
        ),
    ],
)
def test_evidence_summary(evidence, expected):
    assert evidence_summary(evidence) == expected


def test_progress_query_count_is_the_same_for_3_and_30_weeks(
    as_casemanager, site1, track1, therapist, casemanager, django_assert_num_queries
):
    today = timezone.localdate()
    short = EpisodeFactory(site=site1, track=track1, admitted_on=today - dt.timedelta(weeks=4))
    long = EpisodeFactory(site=site1, track=track1, admitted_on=today - dt.timedelta(weeks=31))
    history_build(short, weeks=3, author=therapist)
    history_build(long, weeks=30, author=therapist)
    for episode in (short, long):
        decision_record(
            episode=episode, kind=Decision.Kind.CONTINUE, rationale="Keep going.", by=casemanager, decided_on=today
        )
    # session + user (2), the request's savepoint (1), the client (1), the access event (1),
    # the episodes (1), the markers (QUERIES_PER_EVALUATION: see dashboard.queries), the
    # history: attendance (1), prescriptions + screens + results (3), goal ratings (1),
    # check-ins (1), the decisions (1), permissions of the user and of the groups (2), release
    # savepoint (1), the idle-logoff session update in its own savepoint (3)
    expected = 19 + QUERIES_PER_EVALUATION  # event sealed after commit (audit/chain.py)
    with django_assert_num_queries(expected):
        assert len(as_casemanager.get(_url(short)).context["history"]["screens"]) == 4
    with django_assert_num_queries(expected):
        assert len(as_casemanager.get(_url(long)).context["history"]["screens"]) == 31
