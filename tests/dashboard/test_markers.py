"""Table tests for the pure marker rules (dashboard/markers.py), at every boundary of DOMAIN.md."""

import dataclasses
import datetime as dt

import pytest

from attendance.rules import ATTENDED
from dashboard import markers as mk
from dashboard.markers import (
    AttendanceFact,
    CheckInFact,
    EpisodeFacts,
    GoalFact,
    ScreenFact,
    Thresholds,
    WorksheetFact,
    evaluate,
    explain,
)

D = dt.date(2026, 3, 5)  # a Thursday
MONDAY = dt.date(2026, 3, 2)  # the Monday of D's week
NEG, EXP, UNEXP = mk.NEGATIVE, mk.EXPECTED_POSITIVE, mk.UNEXPECTED_POSITIVE
REF, MISS, INV, PEND = mk.REFUSED, mk.MISSED, mk.INVALID, mk.PENDING_CONFIRMATION


def ago(days):
    return D - dt.timedelta(days=days)


def full_weeks(weeks=4, minutes=180, per_week=3):
    """Three 3-hour sessions a week (Mon/Tue/Thu) for the ``weeks`` complete weeks before D's week."""
    rows = []
    for w in range(1, weeks + 1):
        monday = MONDAY - dt.timedelta(weeks=w)
        for offset in (0, 1, 3)[:per_week]:
            rows.append(AttendanceFact(monday + dt.timedelta(days=offset), "present", minutes))
    return tuple(rows)


def sheet(week, pairs):
    """A worksheet of ``week`` rating one goal per (status, rating) pair, and those goals: an
    active goal is open, any other was closed weeks before (so it was not active that week)."""
    goals = tuple(
        GoalFact(i, status, closed_on=None if status == "active" else ago(60)) for i, (status, _) in enumerate(pairs)
    )
    return WorksheetFact(week, tuple((i, rating) for i, (_, rating) in enumerate(pairs))), goals


def goals_of(*statuses):
    return tuple(GoalFact(100 + i, status) for i, status in enumerate(statuses))


def screens(*spec):
    """spec: (days ago, interpretation) pairs."""
    return tuple(ScreenFact(ago(days), interp) for days, interp in spec)


READY_SHEET, READY_GOALS = sheet(MONDAY, [("active", 3), ("active", 4), ("active", 3), ("active", 2)])
READY_SCREENS = screens((28, NEG), (21, NEG), (14, NEG), (7, NEG), (2, NEG))


def ready_facts(**changes):
    """A client who meets every step-down criterion as of D (8 weeks in, week 9)."""
    base = EpisodeFacts(
        admitted_on=ago(8 * 7 + 3),
        required_weekly_hours=9,
        attendance=full_weeks() + (AttendanceFact(MONDAY, "present", 180),),
        screens=READY_SCREENS,
        worksheets=(READY_SHEET,),
        checkins=(CheckInFact(MONDAY, True, "step_down"),),
        goals=READY_GOALS,
    )
    return dataclasses.replace(base, **changes)


def criterion(evaluation, name, which="step_down"):
    return next(c for c in getattr(evaluation, which).criteria if c.name == name)


def test_ready_client_meets_every_step_down_criterion_and_has_no_flags():
    ev = evaluate(ready_facts(), D, Thresholds())
    assert ev.step_down.status == "ready"
    assert [c.name for c in ev.step_down.criteria] == list(mk.CRITERION_NAMES)
    assert [c.name for c in ev.graduation.criteria] == list(mk.CRITERION_NAMES)
    assert ev.flags == ()
    assert ev.graduation.status == "not_ready"  # 8 weeks, 5 screens, recommends step-down


def test_as_dict_has_exactly_the_interface_keys():
    doc = evaluate(ready_facts(), D, Thresholds()).as_dict()
    assert set(doc) == {"markers", "step_down", "graduation", "flags"}
    assert set(doc["markers"]) == {
        "weeks_in_program",
        "attendance_rate_4w",
        "hours_by_week",
        "negative_streak",
        "negative_streak_days",
        "last_screen_on",
        "days_since_unexpected_positive",
        "goals_on_track",
        "latest_recommendation",
        "latest_checkin_on",
    }
    assert doc["markers"]["hours_by_week"] == [9.0, 9.0, 9.0, 9.0]
    assert doc["markers"]["last_screen_on"] == "2026-03-03"
    assert doc["markers"]["latest_checkin_on"] == "2026-03-02"
    assert doc["step_down"]["criteria"][0] == {"name": "weeks_in_program", "measured": 8, "required": 6, "met": True}
    assert set(doc["step_down"]["criteria"][3]) == {"name", "measured", "required", "met"}


# --- weeks in program ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "days_since_admission, weeks, met",
    [(41, 5, False), (42, 6, True), (48, 6, True), (0, 0, False), (-3, 0, False)],
)
def test_weeks_in_program_are_whole_weeks_since_admission(days_since_admission, weeks, met):
    ev = evaluate(ready_facts(admitted_on=ago(days_since_admission)), D)
    assert ev.markers.weeks_in_program == weeks
    assert criterion(ev, "weeks_in_program").met is met


@pytest.mark.parametrize("days, met", [(83, False), (84, True)])
def test_graduation_needs_twelve_weeks(days, met):
    assert criterion(evaluate(ready_facts(admitted_on=ago(days)), D), "weeks_in_program", "graduation").met is met


# --- attendance ----------------------------------------------------------------------------


def sessions(*spec):
    """spec: (days ago, status) pairs, 180-minute sessions."""
    return tuple(AttendanceFact(ago(days), status, 180 if status in ATTENDED else 0) for days, status in spec)


@pytest.mark.parametrize(
    "rows, rate, met",
    [
        ([(1, "present")] * 9 + [(2, "absent")], 0.9, True),  # 9 / 10 = exactly 90 %
        ([(1, "present")] * 8 + [(2, "absent")], 8 / 9, False),  # 88.9 %
        ([(1, "late"), (2, "left_early"), (3, "present")], 1.0, True),  # late / left early count as attended
        ([(1, "present"), (2, "excused")], 1.0, True),  # excused absences are in neither number
        ([(1, "present"), (2, "cancelled")], 1.0, True),  # cancelled sessions count for no one
        ([(28, "absent"), (1, "present")], 0.5, False),  # day D−28 is inside the window
        ([(29, "absent"), (1, "present")], 1.0, True),  # day D−29 is outside
        ([(-1, "absent"), (1, "present")], 1.0, True),  # records after D are ignored
        ([(2, "excused")], None, False),  # no expected sessions: no rate, not met
        ([], None, False),
    ],
)
def test_attendance_rate_over_the_last_28_days(rows, rate, met):
    ev = evaluate(ready_facts(attendance=sessions(*rows)), D)
    assert ev.markers.attendance_rate_4w == (pytest.approx(rate) if rate is not None else None)
    assert criterion(ev, "attendance_rate").met is met


def test_excused_absences_are_reported_beside_the_rate():
    ev = evaluate(ready_facts(attendance=sessions((1, "present"), (2, "excused"), (3, "excused"))), D)
    assert ev.markers.excused_absences_4w == 2
    assert "2 excused absences not counted" in explain(criterion(ev, "attendance_rate"))


def test_an_absence_on_a_cancelled_session_does_not_count():
    rows = (AttendanceFact(ago(1), "present", 180), AttendanceFact(ago(2), "absent", 0, session_status="cancelled"))
    assert evaluate(ready_facts(attendance=rows), D).markers.attendance_rate_4w == 1.0


# --- weekly hours --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "minutes_per_session, weeks_met, met",
    [(180, 4, True), (179, 0, False)],  # 9.0 h meets 9 required; 8.95 h does not
)
def test_required_hours_are_met_at_exactly_the_requirement(minutes_per_session, weeks_met, met):
    ev = evaluate(ready_facts(attendance=full_weeks(minutes=minutes_per_session)), D)
    assert criterion(ev, "weekly_hours").measured == weeks_met
    assert criterion(ev, "weekly_hours").met is met


@pytest.mark.parametrize("short_weeks, met", [(0, True), (1, True), (2, False)])
def test_hours_must_be_met_in_three_of_the_last_four_weeks(short_weeks, met):
    rows = list(full_weeks())
    for w in range(1, short_weeks + 1):  # drop one session in the most recent weeks
        monday = MONDAY - dt.timedelta(weeks=w)
        rows.remove(AttendanceFact(monday, "present", 180))
    ev = evaluate(ready_facts(attendance=tuple(rows)), D)
    assert criterion(ev, "weekly_hours").measured == 4 - short_weeks
    assert criterion(ev, "weekly_hours").met is met


def test_hours_by_week_are_the_four_complete_weeks_before_the_week_of_d_oldest_first():
    rows = (
        AttendanceFact(MONDAY - dt.timedelta(weeks=4), "present", 60),  # oldest counted week
        AttendanceFact(MONDAY - dt.timedelta(weeks=1), "present", 90),  # last week
        AttendanceFact(MONDAY - dt.timedelta(days=1), "late", 30),  # Sunday of last week
        AttendanceFact(MONDAY, "present", 600),  # D's own week is not complete: not counted
        AttendanceFact(MONDAY - dt.timedelta(weeks=5), "present", 600),  # too old
    )
    ev = evaluate(ready_facts(attendance=rows), D)
    assert ev.markers.hours_by_week == (1.0, 0.0, 0.0, 2.0)
    assert ev.markers.hours_last_week == 2.0


def test_weeks_before_admission_cannot_be_measured():
    ev = evaluate(ready_facts(admitted_on=MONDAY - dt.timedelta(weeks=2), attendance=()), D)
    assert ev.markers.hours_by_week == (None, None, 0.0, 0.0)


# --- negative streak -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "spec, streak, span",
    [
        ([(3, UNEXP)], 0, None),  # a fresh unexpected positive breaks the streak
        ([(3, EXP)], 1, 0),  # an expected positive (prescription) does not
        ([(10, NEG), (3, PEND)], 0, None),  # pending confirmation breaks it until confirmed negative
        ([(10, UNEXP), (5, NEG), (3, NEG)], 2, 2),
        ([(10, NEG), (5, REF), (3, NEG)], 1, 0),  # refused
        ([(10, NEG), (5, MISS), (3, NEG)], 1, 0),  # missed
        ([(10, NEG), (5, INV), (3, NEG)], 1, 0),  # invalid
        ([(10, NEG), (-1, UNEXP)], 1, 0),  # a screen after D is ignored
        ([], 0, None),
    ],
)
def test_negative_streak_counts_back_from_the_newest_screen(spec, streak, span):
    ev = evaluate(ready_facts(screens=screens(*spec)), D)
    assert (ev.markers.negative_streak, ev.markers.negative_streak_days) == (streak, span)


@pytest.mark.parametrize(
    "spec, met",
    [
        ([(22, NEG), (15, NEG), (8, NEG), (1, NEG)], True),  # 4 screens spanning 21 days
        ([(21, NEG), (15, NEG), (8, NEG), (1, NEG)], False),  # spanning 20 days
        ([(40, NEG), (20, NEG), (1, NEG)], False),  # 3 screens
    ],
)
def test_step_down_streak_needs_four_screens_spanning_21_days(spec, met):
    assert criterion(evaluate(ready_facts(screens=screens(*spec)), D), "negative_streak").met is met


@pytest.mark.parametrize(
    "count, first_days_ago, met",
    [(8, 46, True), (8, 45, False), (7, 60, False)],
)
def test_graduation_streak_needs_eight_screens_spanning_45_days(count, first_days_ago, met):
    days = [first_days_ago] + [1 + i for i in range(count - 1)]
    ev = evaluate(ready_facts(screens=screens(*[(d, NEG) for d in days])), D)
    assert criterion(ev, "negative_streak", "graduation").met is met


def test_same_day_screens_keep_their_given_order():
    ev = evaluate(ready_facts(screens=screens((2, UNEXP), (2, NEG))), D)
    assert ev.markers.negative_streak == 1  # the later one (given last) is negative


# --- no recent positive --------------------------------------------------------------------


@pytest.mark.parametrize(
    "spec, measured, met",
    [
        ([(30, UNEXP)], 30, False),  # D−30 is "in the last 30 days"
        ([(31, UNEXP)], 31, True),
        ([(30, REF)], 30, False),
        ([(30, MISS)], 30, False),
        ([(30, INV)], 30, False),
        ([(5, PEND)], None, True),  # pending is not a positive yet
        ([(5, EXP)], None, True),
        ([], None, True),
    ],
)
def test_no_recent_positive_looks_back_30_days(spec, measured, met):
    c = criterion(evaluate(ready_facts(screens=screens(*spec)), D), "no_recent_positive")
    assert (c.measured, c.met) == (measured, met)


def test_days_since_unexpected_positive_marker():
    ev = evaluate(ready_facts(screens=screens((41, UNEXP), (20, REF), (3, NEG))), D)
    assert ev.markers.days_since_unexpected_positive == 41


# --- goals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "week_days_ago, ratings, share, met",
    [
        (3, [("active", 3), ("active", 3), ("active", 3), ("active", 2)], 0.75, True),  # exactly 75 %
        (3, [("active", 3), ("active", 2), ("active", 2)], 1 / 3, False),
        (3, [("active", 4), ("achieved", 1), ("revised", 0)], 1.0, True),  # only active goals count
        (14, [("active", 3)], 1.0, True),  # week began D−14: still counts
        (15, [("active", 3)], None, False),  # older than 14 days: does not count
        (3, [], None, False),
    ],
)
def test_goals_on_track_on_the_latest_worksheet(week_days_ago, ratings, share, met):
    worksheet, goals = sheet(ago(week_days_ago), ratings)
    facts = ready_facts(worksheets=(worksheet,), goals=goals)
    ev = evaluate(facts, D)
    assert ev.markers.goals_on_track == (pytest.approx(share) if share is not None else None)
    assert criterion(ev, "goals_on_track").met is met


def test_the_latest_worksheet_wins_over_an_older_better_one():
    goals = (GoalFact(0, "active"),)
    sheets = (WorksheetFact(ago(10), ((0, 4),)), WorksheetFact(ago(3), ((0, 1),)))
    assert evaluate(ready_facts(worksheets=sheets, goals=goals), D).markers.goals_on_track == 0.0


@pytest.mark.parametrize(
    "ratings, goal_statuses, met",
    [
        ([("active", 3)] * 4 + [("active", 2)], ("active",) * 5, True),  # exactly 80 %
        ([("active", 3)] * 3 + [("active", 2)], ("active",) * 4, False),  # 75 % is not enough
        ([], ("achieved", "achieved", "discontinued"), True),  # every goal achieved
        ([], ("achieved", "active"), False),
    ],
)
def test_graduation_goals_every_goal_achieved_or_80_percent(ratings, goal_statuses, met):
    worksheet, rated = sheet(MONDAY, ratings)
    facts = ready_facts(worksheets=(worksheet,), goals=rated + goals_of(*goal_statuses[len(rated) :]))
    assert criterion(evaluate(facts, D), "goals_on_track", "graduation").met is met


# --- check-ins -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "week_days_ago, signed, recommendation, step_down_met, graduation_met",
    [
        (3, True, "step_down", True, False),
        (3, True, "graduate", True, True),
        (3, True, "continue", False, False),
        (3, False, "graduate", False, False),  # unsigned drafts do not count
        (10, True, "step_down", True, False),  # week began D−10: counts
        (11, True, "step_down", False, False),  # older: does not
    ],
)
def test_recommendation_of_the_latest_signed_checkin(
    week_days_ago, signed, recommendation, step_down_met, graduation_met
):
    ev = evaluate(ready_facts(checkins=(CheckInFact(ago(week_days_ago), signed, recommendation),)), D)
    assert criterion(ev, "recommendation").met is step_down_met
    assert criterion(ev, "recommendation", "graduation").met is graduation_met


def test_an_unsigned_newer_checkin_does_not_hide_the_signed_one():
    rows = (CheckInFact(MONDAY - dt.timedelta(weeks=1), True, "step_down"), CheckInFact(MONDAY, False, "continue"))
    ev = evaluate(ready_facts(checkins=rows), D)
    assert ev.markers.latest_recommendation == "step_down"
    assert criterion(ev, "recommendation").met


@pytest.mark.parametrize(
    "risk_days_ago, met",
    [(14, False), (15, True), (None, True)],
)
def test_no_risk_flag_in_the_last_14_days(risk_days_ago, met):
    rows = [CheckInFact(MONDAY, True, "step_down")]
    if risk_days_ago is not None:
        rows.append(CheckInFact(ago(risk_days_ago), True, "continue", risk_flag=True))
    assert criterion(evaluate(ready_facts(checkins=tuple(rows)), D), "no_recent_risk").met is met


# --- readiness status ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes, status",
    [
        ({}, "ready"),
        ({"checkins": (CheckInFact(MONDAY, True, "continue"),)}, "approaching"),  # all but one
        ({"checkins": (CheckInFact(MONDAY, True, "continue"),), "screens": ()}, "not_ready"),
    ],
)
def test_readiness_status_ready_approaching_not_ready(changes, status):
    assert evaluate(ready_facts(**changes), D).step_down.status == status


def test_graduation_ready_client():
    facts = ready_facts(
        admitted_on=ago(13 * 7),
        screens=screens(*[(d, NEG) for d in (50, 43, 36, 29, 22, 15, 8, 1)]),
        checkins=(CheckInFact(MONDAY, True, "graduate"),),
        goals=goals_of("achieved", "achieved"),
        worksheets=(),
    )
    ev = evaluate(facts, D)
    assert ev.graduation.status == "ready"
    assert ev.step_down.status == "ready"


def test_thresholds_come_from_the_site_criteria():
    stricter = Thresholds(step_down_min_weeks=10)
    assert evaluate(ready_facts(), D, stricter).step_down.status == "approaching"


def test_thresholds_from_criteria_copies_every_field_and_defaults_without_a_row():
    from decimal import Decimal
    from types import SimpleNamespace

    assert Thresholds.from_criteria(None) == Thresholds()
    values = {f.name: getattr(Thresholds(), f.name) for f in dataclasses.fields(Thresholds)}
    values["attendance_rate_min"] = Decimal("0.85")
    t = Thresholds.from_criteria(SimpleNamespace(**values))
    assert t.attendance_rate_min == 0.85


# --- flags ---------------------------------------------------------------------------------


def flags(**changes):
    return evaluate(ready_facts(**changes), D).flags


@pytest.mark.parametrize(
    "absences, flagged",
    [
        ([7, 1], True),  # two unexcused absences, the first on D−7
        ([8, 1], False),  # D−8 is outside the 7 days
        ([1], False),
    ],
)
def test_absences_flag(absences, flagged):
    rows = full_weeks() + sessions(*[(d, "absent") for d in absences])
    assert ("absences" in flags(attendance=rows)) is flagged


@pytest.mark.parametrize(
    "spec, flagged",
    [([(14, UNEXP), (2, NEG)], True), ([(15, UNEXP), (2, NEG)], False), ([(2, PEND)], False)],
)
def test_unexpected_positive_flag(spec, flagged):
    assert ("unexpected_positive" in flags(screens=screens(*spec))) is flagged


@pytest.mark.parametrize(
    "interpretation, days, flagged",
    [(REF, 14, True), (MISS, 2, True), (INV, 2, True), (MISS, 15, False), (UNEXP, 2, False)],
)
def test_missed_screen_flag(interpretation, days, flagged):
    assert ("missed_screen" in flags(screens=screens((days, interpretation), (1, NEG)))) is flagged


@pytest.mark.parametrize(
    "spec, flagged",
    [
        ([(8, NEG)], False),  # a completed screen on D−8 is in time
        ([(9, NEG)], True),
        ([(9, NEG), (2, MISS)], True),  # a missed screen is not a completed one
        ([(9, NEG), (2, UNEXP)], False),  # a positive is still a completed screen
        ([], True),
    ],
)
def test_screen_overdue_flag(spec, flagged):
    assert ("screen_overdue" in flags(screens=screens(*spec))) is flagged


@pytest.mark.parametrize(
    "as_of, checkin_weeks, flagged",
    [
        (dt.date(2026, 3, 4), [dt.date(2026, 2, 23)], False),  # Wednesday: last week's is fine
        (dt.date(2026, 3, 5), [dt.date(2026, 2, 23)], True),  # Thursday: this week's is due
        (dt.date(2026, 3, 5), [dt.date(2026, 3, 2)], False),
        (dt.date(2026, 3, 4), [dt.date(2026, 2, 16)], True),  # none whose week began in the last 10 days
        (dt.date(2026, 3, 4), [], True),
    ],
)
def test_checkin_overdue_flag(as_of, checkin_weeks, flagged):
    facts = ready_facts(checkins=tuple(CheckInFact(w, True, "continue") for w in checkin_weeks))
    assert ("checkin_overdue" in evaluate(facts, as_of).flags) is flagged


@pytest.mark.parametrize("as_of, flagged", [(dt.date(2026, 3, 5), False), (dt.date(2026, 3, 6), True)])
def test_checkin_overdue_when_the_latest_week_began_more_than_10_days_ago(as_of, flagged):
    never_this_week = Thresholds(flag_checkin_weekday=7)  # switch the Thursday rule off
    facts = ready_facts(checkins=(CheckInFact(dt.date(2026, 2, 23), True, "continue"),))
    assert ("checkin_overdue" in evaluate(facts, as_of, never_this_week).flags) is flagged


def test_checkin_overdue_on_thursday_unless_this_weeks_is_signed():
    unsigned = ready_facts(checkins=(CheckInFact(MONDAY, False, "continue"),))
    assert "checkin_overdue" in evaluate(unsigned, D).flags


@pytest.mark.parametrize(
    "rows, flagged",
    [
        ([CheckInFact(MONDAY, True, "continue", risk_flag=True)], True),
        ([CheckInFact(MONDAY, False, "continue", risk_flag=True)], True),  # a draft's risk is still risk
        ([CheckInFact(ago(10), True, "continue", risk_flag=True), CheckInFact(MONDAY, True, "continue")], False),
    ],
)
def test_risk_flag_from_the_latest_checkin(rows, flagged):
    assert ("risk" in flags(checkins=tuple(rows))) is flagged


@pytest.mark.parametrize(
    "minutes, required, flagged",
    [(180, 9, False), (179, 9, True), (120, 6, False)],
)
def test_hours_short_flag_against_the_episodes_required_hours(minutes, required, flagged):
    facts = ready_facts(attendance=full_weeks(minutes=minutes), required_weekly_hours=required)
    assert ("hours_short" in evaluate(facts, D).flags) is flagged


@pytest.mark.parametrize(
    "admitted_days_before_last_monday, flagged",
    [(0, True), (-1, False)],  # admitted on last week's Monday: a whole week; on Tuesday: partial
)
def test_hours_short_is_not_raised_for_a_partial_admission_week(admitted_days_before_last_monday, flagged):
    last_monday = MONDAY - dt.timedelta(weeks=1)
    facts = ready_facts(
        admitted_on=last_monday - dt.timedelta(days=admitted_days_before_last_monday),
        attendance=(AttendanceFact(last_monday + dt.timedelta(days=3), "present", 180),),
    )
    assert ("hours_short" in evaluate(facts, D).flags) is flagged


def test_flags_come_in_contract_order():
    facts = ready_facts(
        attendance=sessions((1, "absent"), (2, "absent")),
        screens=screens((12, UNEXP), (11, MISS)),
        checkins=(CheckInFact(ago(20), True, "continue", risk_flag=True),),
    )
    assert evaluate(facts, D).flags == mk.FLAG_CODES


# --- words ---------------------------------------------------------------------------------


def test_explain_the_negative_streak_in_words():
    facts = ready_facts(screens=screens((25, NEG), (17, NEG), (9, NEG), (1, NEG)))
    text = explain(criterion(evaluate(facts, D), "negative_streak"))
    assert text.startswith("4 negative screens in a row over 24 days (4 required, spanning at least 21 days)")


@pytest.mark.parametrize("name", mk.CRITERION_NAMES)
def test_every_criterion_explains_itself_for_ready_and_empty_clients(name):
    """Every criterion has its own words: none falls back to a generic "name: value" line."""
    assert set(mk.EXPLAINERS) == set(mk.CRITERION_NAMES)
    for facts in (ready_facts(), EpisodeFacts(admitted_on=D)):
        ev = evaluate(facts, D)
        for which in ("step_down", "graduation"):
            text = explain(criterion(ev, name, which))
            assert text and name not in text  # a generic fallback would print the criterion's name
            assert not text.startswith(f"{name}:") and "(required" not in text


def test_a_criterion_without_its_own_explanation_is_refused():
    with pytest.raises(KeyError):
        explain(mk.Criterion("made_up", 1, 2, False))


# --- DOMAIN.md "Settled readings": one row each ----------------------------------------------

INC = mk.INCONCLUSIVE
STEP_DOWN_DAY = ago(10)  # the previous episode ended (step-down) and this one opened that day


def _continued(**changes):
    """A continuous stay opened STEP_DOWN_DAY (a Monday-or-later partial week), its own record
    clean: only the carried facts can raise anything."""
    return ready_facts(admitted_on=STEP_DOWN_DAY, continued=True, **changes)


SETTLED = {
    # an unexplained positive awaiting the lab arrives as UNEXPECTED from screening.interpretation
    # (tests/screening/test_interpretation.py); here it is one for every marker and flag
    "presumptive_positive_awaiting_lab": (
        ready_facts(screens=READY_SCREENS + screens((1, UNEXP))),
        lambda ev: (
            "unexpected_positive" in ev.flags
            and ev.markers.negative_streak == 0
            and ev.markers.days_since_unexpected_positive == 1
            and not criterion(ev, "no_recent_positive").met
        ),
    ),
    "inconclusive_breaks_the_streak_only": (
        ready_facts(screens=READY_SCREENS + screens((1, INC))),
        lambda ev: (
            ev.markers.negative_streak == 0
            and "missed_screen" not in ev.flags
            and "screen_overdue" not in ev.flags
            and criterion(ev, "no_recent_positive").met
        ),
    ),
    "inconclusive_counts_as_a_completed_screen": (
        ready_facts(screens=screens((20, NEG), (3, INC))),
        lambda ev: "screen_overdue" not in ev.flags,
    ),
    "unrated_active_goal_is_not_on_track": (
        ready_facts(
            worksheets=(WorksheetFact(MONDAY, ((0, 4), (1, 4), (2, 4))),),
            goals=tuple(GoalFact(i, "active") for i in range(4)),
        ),
        lambda ev: ev.markers.goals_on_track == 0.75,
    ),
    "goal_set_after_the_week_is_not_counted": (
        ready_facts(
            worksheets=(WorksheetFact(MONDAY - dt.timedelta(weeks=1), ((0, 4),)),),
            goals=(GoalFact(0, "active"), GoalFact(1, "active", set_on=MONDAY)),
        ),
        lambda ev: ev.markers.goals_on_track == 1.0,
    ),
    "all_goals_achieved_is_met": (
        ready_facts(worksheets=(), goals=goals_of("achieved", "achieved")),
        lambda ev: (
            criterion(ev, "goals_on_track", "graduation").met
            and explain(criterion(ev, "goals_on_track")).startswith("All achieved")
        ),
    ),
    "latest_signed_checkin_at_any_age": (
        ready_facts(checkins=(CheckInFact(MONDAY - dt.timedelta(weeks=6), True, "step_down"),)),
        lambda ev: (
            ev.markers.latest_checkin_on == MONDAY - dt.timedelta(weeks=6)
            and ev.markers.latest_recommendation == "step_down"
            and not criterion(ev, "recommendation").met
        ),
    ),
    "risk_from_a_draft_dated_by_its_monday": (
        ready_facts(
            checkins=(
                CheckInFact(MONDAY, True, "step_down"),
                CheckInFact(MONDAY - dt.timedelta(weeks=1), False, "", True),
            )
        ),
        lambda ev: criterion(ev, "no_recent_risk").measured == 10 and not criterion(ev, "no_recent_risk").met,
    ),
    "hours_short_not_raised_for_the_partial_admission_week": (
        ready_facts(admitted_on=MONDAY - dt.timedelta(days=5), attendance=(AttendanceFact(ago(5), "present", 60),)),
        lambda ev: "hours_short" not in ev.flags,
    ),
    "continuous_stay_carries_screens": (
        _continued(prior_screens=screens((12, UNEXP)), screens=screens((2, NEG))),
        lambda ev: "unexpected_positive" in ev.flags and ev.markers.negative_streak == 1,
    ),
    "continuous_stay_carries_risk": (
        _continued(prior_checkins=(CheckInFact(ago(10), False, "", True),)),
        lambda ev: not criterion(ev, "no_recent_risk").met,
    ),
    "continuous_stay_carries_absences": (
        _continued(prior_attendance=sessions((5, "absent"), (4, "absent"))),
        lambda ev: "absences" in ev.flags and ev.markers.attendance_rate_4w == 1.0,
    ),
    "a_gap_starts_afresh": (
        ready_facts(admitted_on=STEP_DOWN_DAY, prior_screens=screens((12, UNEXP))),  # not continued
        lambda ev: "unexpected_positive" not in ev.flags,
    ),
    "continuous_stay_overdue_flags_wait_for_the_first_full_week": (
        ready_facts(admitted_on=ago(1), continued=True, checkins=(), screens=()),
        lambda ev: "checkin_overdue" not in ev.flags and "screen_overdue" not in ev.flags,
    ),
}


@pytest.mark.parametrize("reading", list(SETTLED))
def test_settled_reading(reading):
    facts, holds = SETTLED[reading]
    assert holds(evaluate(facts, D)), reading


def test_the_streak_says_how_many_were_negatives_and_how_many_expected_positives():
    facts = ready_facts(screens=screens((25, EXP), (17, EXP), (9, NEG), (1, EXP)))
    text = explain(criterion(evaluate(facts, D), "negative_streak"))
    assert text.startswith("4 screens in a row: 1 negative, 3 expected positives, over 24 days (4 required")
    assert text.endswith(f"last screen on {ago(1):%m/%d/%Y}")


def test_the_goals_and_recommendation_criteria_name_the_worksheet_and_checkin_they_relied_on():
    ev = evaluate(ready_facts(), D)
    assert f"on the worksheet of week {READY_SHEET.week:%m/%d/%Y}" in explain(criterion(ev, "goals_on_track"))
    assert f"Latest signed check-in, week of {MONDAY:%m/%d/%Y}, recommends" in explain(criterion(ev, "recommendation"))
