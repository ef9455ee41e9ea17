"""``manage.py markers`` prints the INTERFACES.md JSON, from the same code as the dashboard."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from dashboard.queries import episode_evaluations, evaluation_document
from tests.dashboard.test_queries import AS_OF, build_caseload, fresh


def run(*args):
    out = io.StringIO()
    call_command("markers", *args, stdout=out)
    return json.loads(out.getvalue())


def test_markers_for_one_client_as_of_a_date(site1, track1, therapist):
    [episode] = build_caseload(1, site=site1, track=track1, therapist=therapist)
    doc = run("--mrn", episode.client.mrn, "--as-of", AS_OF.isoformat(), "--format", "json")
    assert (doc["mrn"], doc["episode"], doc["as_of"]) == (episode.client.mrn, episode.ref, "2026-03-05")
    assert doc["step_down"]["status"] == "ready"
    assert doc["markers"]["hours_by_week"] == [9.0, 9.0, 9.0, 9.0]
    assert doc["markers"]["negative_streak"] == 5
    assert [c["name"] for c in doc["graduation"]["criteria"]] == [
        "weeks_in_program",
        "attendance_rate",
        "weekly_hours",
        "negative_streak",
        "no_recent_positive",
        "goals_on_track",
        "recommendation",
        "no_recent_risk",
    ]


def test_markers_all_prints_an_array_of_every_active_episode_equal_to_the_dashboard_code(site1, track1, therapist):
    episodes = build_caseload(2, site=site1, track=track1, therapist=therapist)
    episodes += build_caseload(1, site=site1, track=track1, therapist=therapist, story="struggling", prefix="S")
    docs = run("--all", "--as-of", AS_OF.isoformat(), "--format", "json")
    assert isinstance(docs, list) and len(docs) == 3
    loaded = fresh(episodes)
    evaluations = episode_evaluations(loaded, AS_OF)
    expected = {e.ref: evaluation_document(e, evaluations[e.pk], AS_OF) for e in loaded}
    assert {d["episode"]: d for d in docs} == json.loads(json.dumps(expected))
    assert sorted(d["step_down"]["status"] for d in docs) == ["not_ready", "ready", "ready"]


def test_ended_episodes_are_not_listed(site1, track1, therapist):
    from clients.models import Episode

    [episode] = build_caseload(1, site=site1, track=track1, therapist=therapist)
    Episode.objects.filter(pk=episode.pk).update(status="graduated", ended_on=AS_OF)
    assert run("--all", "--as-of", AS_OF.isoformat()) == []
    with pytest.raises(CommandError, match="has no active episode"):
        run("--mrn", episode.client.mrn)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--mrn", "NOPE-1"], "No client with MRN 'NOPE-1'"),
        (["--mrn", "RIC-0001", "--as-of", "03/05/2026"], "--as-of must be a date as YYYY-MM-DD"),
        (["--mrn", "RIC-0001", "--as-of", "2026-02-30"], "--as-of must be a date"),
    ],
)
def test_bad_input_is_a_clear_error(episode1, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_mrn_and_all_are_exclusive_and_one_is_required(db):
    with pytest.raises(CommandError):
        run("--all", "--mrn", "X")
    with pytest.raises(CommandError):
        run()


def test_default_as_of_is_today(episode1):
    from django.utils import timezone

    assert run("--mrn", "RIC-0001")["as_of"] == timezone.localdate().isoformat()


def test_the_demo_data_shows_every_state_on_the_markers(db):
    """seed_demo (every app's demo) → ready, approaching, not ready and flagged clients, and the
    decision that ended each ended episode with its evidence."""
    from dashboard.models import Decision

    call_command("seed_demo", "--force", stdout=io.StringIO())
    docs = run("--all")
    step_down = {d["step_down"]["status"] for d in docs}
    assert {"ready", "approaching", "not_ready"} <= step_down
    assert any(d["graduation"]["status"] == "ready" for d in docs)
    assert any(d["flags"] for d in docs)
    from clients.models import Episode

    ended = Decision.objects.filter(kind__in=["graduate", "step_down", "discharge"])
    assert ended.count() == Episode.objects.exclude(status="active").count() > 0
    assert all(d.evidence["episode"] == d.episode.ref for d in ended.select_related("episode"))
