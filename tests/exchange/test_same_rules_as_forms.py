"""Issue 11: the importer refuses each row the forms refuse, with the forms' own rules and
messages, each under its JSON path."""

import datetime as dt
import json

import pytest

from attendance import rules as attendance_rules
from exchange.validation import Known, validate
from tests.exchange.conftest import ANALYTE_CODES, SAMPLE

TODAY = dt.date(2026, 3, 2)
EP = "clients[0].episodes[0]"


def _problems(change):
    doc = json.loads(SAMPLE.read_text())
    change(doc["clients"][0]["episodes"][0])
    return validate(doc, Known(today=TODAY, analytes=set(ANALYTE_CODES)))[1]


@pytest.mark.parametrize(
    "status, minutes, message",
    [
        ("absent", 30, "An absence has no minutes attended."),
        ("excused", 1, "An absence has no minutes attended."),
        ("late", None, "Enter the minutes attended for a client who came late or left early."),
        ("left_early", None, "Enter the minutes attended for a client who came late or left early."),
        ("present", 181, "Minutes attended cannot exceed the session's 180 minutes."),
    ],
)
def test_attendance_minutes_follow_the_forms_rule(status, minutes, message):
    assert attendance_rules.minutes_problem(status, 180, minutes) == message  # the form's rule says so too

    def change(episode):
        row = episode["attendance"][1]
        row.update(status=status)
        row.pop("minutes_attended")
        if minutes is not None:
            row["minutes_attended"] = minutes

    assert f"{EP}.attendance[1].minutes_attended: {message}" in _problems(change)


@pytest.mark.parametrize("status", ["present", "absent", "excused"])
def test_attendance_without_minutes_takes_the_forms_default(status):
    def change(episode):
        episode["attendance"][1].update(status=status)
        episode["attendance"][1].pop("minutes_attended")

    assert _problems(change) == []


@pytest.mark.parametrize("rating", [5, -1, 2.5, True])
def test_goal_ratings_are_0_to_4_as_on_the_worksheet_form(rating):
    problems = _problems(lambda e: e["worksheets"][0]["ratings"].update(G1=rating))
    assert any(p.startswith(f"{EP}.worksheets[0].ratings.G1: A rating must be") for p in problems), problems


@pytest.mark.parametrize("items", [[0] * 8 + [4], [0] * 8 + [-1], [0] * 8 + [True]])
def test_phq9_items_are_0_to_3_as_on_the_checkin_form(items):
    problems = _problems(lambda e: e["checkins"][0].update(phq9_items=items))
    assert any(p.startswith(f"{EP}.checkins[0].phq9_items: PHQ-9 item 9 must be 0–3.") for p in problems), problems


@pytest.mark.parametrize("key", ["checkins", "worksheets"])
def test_weeks_start_on_a_monday(key):
    problems = _problems(lambda e: e[key][0].update(week="2026-01-06"))
    assert f"{EP}.{key}[0].week: 2026-01-06 is not a Monday" in problems


@pytest.mark.parametrize("key", ["risk", "recommendation"])
def test_a_signed_checkin_needs_the_therapists_choice(key):
    assert f"{EP}.checkins[0].{key}: a signed check-in needs its {key}" in _problems(
        lambda e: e["checkins"][0].pop(key)
    )


def test_a_draft_checkin_may_leave_risk_and_recommendation_empty():
    def change(episode):
        episode["checkins"][0].update(signed=False, risk=None)
        episode["checkins"][0].pop("recommendation")

    assert _problems(change) == []
