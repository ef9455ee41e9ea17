"""Issue 14, "Levels of care, coherent": an episode is judged by its site's criteria for its
level; a step-down, step-up or intake takes the new level's default hours; the continuous-stay
rule as a table."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from clients.models import Episode, LevelOfCare
from dashboard import markers as mk
from dashboard.markers import EpisodeFacts, ScreenFact, Thresholds, evaluate, explain, is_continuous_stay
from dashboard.models import Decision, MarkerSnapshot
from dashboard.queries import episode_evaluation, episode_evaluations
from dashboard.services import decision_record
from dashboard.snapshots import refresh_stale
from programs.models import Criteria
from programs.services import criteria_unsaved, site_criteria_ensure
from tests.dashboard.progress_data import history_build
from tests.dashboard.test_markers import MONDAY, D, criterion, ready_facts
from tests.dashboard.test_markers import CheckInFact as Checkin

OP = Thresholds.from_criteria(criteria_unsaved(1, "OP"))
REASON = "Reviewed with the team at length; the client agrees with this plan going forward."


@pytest.fixture
def ready(episode1, therapist):
    return history_build(episode1, weeks=6, author=therapist)


def _decide(episode, kind, by, **kw):
    return decision_record(episode=episode, kind=kind, rationale=REASON, by=by, decided_on=timezone.localdate(), **kw)


# --- OP criteria (pure) -------------------------------------------------------------------


def test_an_op_episode_has_no_step_down_readiness():
    ev = evaluate(ready_facts(required_weekly_hours=1), D, OP)
    assert (ev.step_down.status, ev.step_down.criteria, ev.step_down.label) == ("not_applicable", (), "Not applicable")
    assert ev.as_dict()["step_down"] == {"status": "not_applicable", "criteria": []}


def test_op_graduation_asks_for_four_weeks_75_percent_no_recent_positive_and_a_signed_graduation_checkin():
    facts = ready_facts(
        admitted_on=D - dt.timedelta(weeks=4),
        required_weekly_hours=1,
        screens=(),  # no streak needed at OP by default
        worksheets=(),  # nor a share of goals
        checkins=(Checkin(MONDAY, True, "graduate"),),
    )
    ev = evaluate(facts, D, OP)
    assert ev.graduation.status == "ready", [c for c in ev.graduation.criteria if not c.met]
    assert explain(criterion(ev, "goals_on_track", "graduation")).startswith("Not required at this level")
    assert explain(criterion(ev, "negative_streak", "graduation")).startswith("Not required at this level")
    assert criterion(ev, "attendance_rate", "graduation").required == 0.75
    # the same facts at IOP are far from graduation
    assert evaluate(facts, D, Thresholds()).graduation.status == "not_ready"
    # a recent unexpected positive still fails it
    positive = evaluate(
        ready_facts(**{**facts.__dict__, "screens": (ScreenFact(D - dt.timedelta(days=5), mk.UNEXPECTED_POSITIVE),)}),
        D,
        OP,
    )
    assert not criterion(positive, "no_recent_positive", "graduation").met


# --- The continuous-stay rule, as a table ---------------------------------------------------

ADMITTED = dt.date(2026, 3, 2)  # a Monday: from day 7 the admission week is a complete, full week
CARRIED = (ScreenFact(ADMITTED - dt.timedelta(days=20), mk.NEGATIVE),)  # the previous episode's last screen


def _row(reason, gap, day):
    """(previous episode's end reason, days between its end and this admission, day of this episode)."""
    continued = is_continuous_stay(ADMITTED - dt.timedelta(days=gap), reason, ADMITTED)
    facts = EpisodeFacts(admitted_on=ADMITTED, required_weekly_hours=1, continued=continued, prior_screens=CARRIED)
    return continued, evaluate(facts, ADMITTED + dt.timedelta(days=day), OP)


CASES = [
    # reason, gap, day, continuous?, settling-in flags quiet?
    *[("stepped_down", 0, day, True, day < 7) for day in (0, 3, 7, 8)],
    *[("stepped_down", 1, day, True, day < 7) for day in (0, 3, 7, 8)],  # ended the day before
    *[("stepped_down", 2, day, False, False) for day in (0, 3, 7, 8)],  # a gap
    *[("stepped_up", 0, day, True, day < 7) for day in (0, 3, 7, 8)],
    *[("stepped_up", 1, day, True, day < 7) for day in (0, 3, 7, 8)],
    *[("stepped_up", 5, day, False, False) for day in (0, 3, 7, 8)],
    *[("graduated", 0, day, False, False) for day in (0, 3, 7, 8)],  # a readmission starts afresh
    *[("left_against_advice", 1, day, False, False) for day in (0, 3, 7, 8)],
]


@pytest.mark.parametrize(("reason", "gap", "day", "continuous", "quiet"), CASES)
def test_the_continuous_stay_rule(reason, gap, day, continuous, quiet):
    continued, ev = _row(reason, gap, day)
    assert continued is continuous
    flags = set(ev.flags)
    # nothing screened or signed in this episode: overdue unless settling in
    assert ("screen_overdue" in flags) is not quiet
    assert ("checkin_overdue" in flags) is not quiet
    # hours: before day 7 there is no complete week of the episode; from day 7 its first (full) week, 0 h < 1 h
    assert ("hours_short" in flags) is (day >= 7)
    # a continuous stay is one story: the previous episode's screens feed the streak
    assert ev.markers.negative_streak == (1 if continuous else 0)


def test_the_settling_in_flags_are_exactly_those_that_need_a_first_week():
    assert {"screen_overdue", "checkin_overdue", "hours_short"} == mk.SETTLING_IN_FLAGS
    assert set(mk.FLAG_CODES) > mk.SETTLING_IN_FLAGS


# --- Through the database -----------------------------------------------------------------


def test_a_stay_continued_the_day_after_carries_the_previous_episodes_screens(ready, casemanager):
    today = timezone.localdate()
    op = _decide(ready, Decision.Kind.STEP_DOWN, casemanager).resulting_episode
    assert episode_evaluation(op, today).markers.negative_streak >= 4  # the IOP screens
    assert not {"screen_overdue", "checkin_overdue", "hours_short"} & set(episode_evaluation(op, today).flags)
    Episode.objects.filter(pk=ready.pk).update(ended_on=today - dt.timedelta(days=1))  # ended the day before
    assert episode_evaluation(Episode.objects.get(pk=op.pk), today).markers.negative_streak >= 4
    Episode.objects.filter(pk=ready.pk).update(ended_on=today - dt.timedelta(days=2))  # a gap
    assert episode_evaluation(Episode.objects.get(pk=op.pk), today).markers.negative_streak == 0


def test_step_down_opens_an_op_episode_with_op_hours_judged_by_op_criteria(ready, casemanager):
    op = _decide(ready, Decision.Kind.STEP_DOWN, casemanager).resulting_episode
    assert (op.level_of_care, op.required_weekly_hours) == (LevelOfCare.OP, Decimal("1"))
    ev = episode_evaluation(op, timezone.localdate())
    assert ev.step_down.status == "not_applicable"
    assert criterion(ev, "weeks_in_program", "graduation").required == 4


def test_the_sites_op_row_sets_the_hours_and_the_override_wins(ready, casemanager, episode1):
    site_criteria_ensure(site=ready.site)
    Criteria.objects.filter(site=ready.site, level_of_care="OP").update(weekly_hours=Decimal("2.5"))
    op = _decide(ready, Decision.Kind.STEP_DOWN, casemanager).resulting_episode
    assert op.required_weekly_hours == Decimal("2.5")
    # a step-down with hours given keeps them (a fresh client)
    other = Episode.objects.create(
        client=episode1.client.__class__.objects.create(
            mrn="RIC-0099", first_name="A", last_name="B", date_of_birth=dt.date(1990, 1, 1)
        ),
        ref="RIC-0099-1",
        site=ready.site,
        admitted_on=timezone.localdate() - dt.timedelta(weeks=8),
    )
    op2 = _decide(other, Decision.Kind.STEP_DOWN, casemanager, weekly_hours=Decimal("3")).resulting_episode
    assert op2.required_weekly_hours == Decimal("3")


def test_step_up_takes_php_hours_and_php_criteria(episode1, casemanager):
    site_criteria_ensure(site=episode1.site)
    Criteria.objects.filter(site=episode1.site, level_of_care="PHP").update(step_down_min_weeks=2)
    _decide(episode1, Decision.Kind.STEP_UP, casemanager)
    episode1.refresh_from_db()
    assert (episode1.level_of_care, episode1.required_weekly_hours) == ("PHP", Decimal("20"))
    ev = episode_evaluation(episode1, timezone.localdate())
    assert criterion(ev, "weeks_in_program").required == 2
    assert criterion(ev, "weekly_hours").detail["hours"] == 20


def test_step_up_with_hours_given(episode1, casemanager):
    _decide(episode1, Decision.Kind.STEP_UP, casemanager, weekly_hours=Decimal("16"))
    episode1.refresh_from_db()
    assert episode1.required_weekly_hours == Decimal("16")


def test_graduating_from_op_is_judged_by_op_criteria(ready, casemanager):
    op = _decide(ready, Decision.Kind.STEP_DOWN, casemanager).resulting_episode
    decision = _decide(op, Decision.Kind.GRADUATE, casemanager)  # day 0 of OP: 4 weeks required
    assert decision.is_override
    assert decision.evidence["step_down"] == {"status": "not_applicable", "criteria": []}
    weeks = next(c for c in decision.evidence["graduation"]["criteria"] if c["name"] == "weeks_in_program")
    assert weeks["required"] == 4
    op.refresh_from_db()
    assert op.status == Episode.Status.GRADUATED


# --- Pages ---------------------------------------------------------------------------------


def test_the_decision_form_prefills_each_levels_hours_and_applies_them(as_casemanager, episode1):
    url = reverse("dashboard:decision_new", args=[episode1.client_id])
    page = as_casemanager.get(url).content.decode()
    assert 'data-default-step-down="1"' in page and 'data-default-step-up="20"' in page
    assert "js/decision_form.js" in page
    today = timezone.localdate().isoformat()
    response = as_casemanager.post(
        url, {"decided_on": today, "rationale": REASON, "kind": "step_up", "weekly_hours": ""}
    )
    assert response.status_code == 302
    episode1.refresh_from_db()
    assert episode1.required_weekly_hours == 20


def test_the_decision_form_keeps_hours_typed(as_casemanager, episode1):
    url = reverse("dashboard:decision_new", args=[episode1.client_id])
    today = timezone.localdate().isoformat()
    as_casemanager.post(url, {"decided_on": today, "rationale": REASON, "kind": "step_up", "weekly_hours": "12.5"})
    episode1.refresh_from_db()
    assert episode1.required_weekly_hours == Decimal("12.5")
    bad = as_casemanager.post(
        url, {"decided_on": today, "rationale": REASON, "kind": "step_down", "weekly_hours": "99"}
    )
    assert bad.status_code == 200 and "less than or equal to 60" in bad.content.decode()


def test_progress_of_an_op_episode_says_step_down_is_not_applicable(as_casemanager, ready, casemanager):
    _decide(ready, Decision.Kind.STEP_DOWN, casemanager)
    page = as_casemanager.get(reverse("dashboard:progress", args=[ready.client_id])).content.decode()
    assert "Not applicable at this level of care" in page
    step_down = page.split("Step-down readiness")[1].split("Graduation readiness")[0]
    assert "Not met" not in step_down


# --- Snapshots -----------------------------------------------------------------------------


def test_a_changed_op_row_marks_that_site_and_levels_episodes_stale_only(ready, casemanager, site2):
    today = timezone.localdate()
    rows = site_criteria_ensure(site=ready.site)
    op = _decide(ready, Decision.Kind.STEP_DOWN, casemanager).resulting_episode
    refresh_stale(Episode.objects.all(), today)
    assert MarkerSnapshot.objects.get(episode=op).step_down_status == "not_applicable"
    versions = dict(Episode.objects.values_list("pk", "inputs_version"))

    rows["OP"].step_down_applies = True
    rows["OP"].save()

    changed = {pk for pk, v in Episode.objects.values_list("pk", "inputs_version") if v != versions[pk]}
    assert changed == {op.pk}  # the OP episode only: the ended IOP episode is judged by IOP criteria
    assert refresh_stale(Episode.objects.filter(pk=op.pk), today) == 1
    snapshot = MarkerSnapshot.objects.get(episode=op)
    assert snapshot.step_down_status in ("ready", "approaching", "not_ready")
    fresh = episode_evaluations([Episode.objects.get(pk=op.pk)], today)[op.pk]
    assert snapshot.step_down_status == fresh.step_down.status
    # an IOP row change leaves the OP episode current
    versions = dict(Episode.objects.values_list("pk", "inputs_version"))
    rows["IOP"].step_down_min_weeks = 3
    rows["IOP"].save()
    assert Episode.objects.get(pk=op.pk).inputs_version == versions[op.pk]
