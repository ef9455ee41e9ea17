"""One episode's history, week by week, for the client progress page (charts and tables).

``episode_history`` reads in five queries whatever the length of the stay: attendance, screens
with their results (and analytes), the client's prescriptions, goal ratings, check-ins.
"""

import datetime as dt
from collections import defaultdict
from itertools import groupby
from operator import itemgetter

from attendance.queries import EFFECTIVE_MINUTES, EFFECTIVE_STATUS, effective_attendance
from attendance.rules import AttendanceFact, weekly_summaries
from checkins.models import CheckIn
from checkins.scoring import gad7_total, phq9_total
from goals.models import GoalRating
from iop.dates import week_start, weeks_between
from screening.interpretation import (
    STREAK_KEEPING,
    Interpretation,
    PrescriptionFact,
    ResultFact,
    ValidityFact,
    interpret,
)
from screening.models import Prescription, Screen, ScreenResult
from screening.queries import VALIDITY_COLUMNS, collected_day


def _safe_total(total, items):
    try:
        return total(items)
    except ValueError:  # a malformed questionnaire is shown as not given, never a 500
        return None


def attendance_weeks(episode, mondays, as_of):
    """[{week, hours, met, current}] for each Monday: attendance.rules.week_summary of the
    episode's rows dated on or before ``as_of`` (cancelled sessions count for no one)."""
    rows = (
        effective_attendance()
        .filter(episode=episode, session__date__lte=as_of)
        .order_by()
        .values_list("session__date", EFFECTIVE_STATUS, EFFECTIVE_MINUTES, "session__status")
    )
    facts = [AttendanceFact(*row) for row in rows]
    summaries = weekly_summaries(facts, mondays[0], mondays[-1], episode.required_weekly_hours) if mondays else []
    current = week_start(as_of)
    return [
        {"week": w.week, "hours": round(float(w.hours), 2), "met": w.hours_met, "current": w.week == current}
        for w in summaries
    ]


def screen_timeline(episode, as_of):
    """[{collected_on, interpretation, label, keeps_streak, positives, method}] oldest first.

    Read as values in one query (each screen with its local date computed by the database, joined
    to its results and their analyte's code: a screen without results is one row of NULLs), and
    the client's prescriptions; not as model objects: a long stay has hundreds of results. Each
    screen is interpreted by screening.interpretation.interpret."""
    rows = (
        Screen.objects.filter(episode=episode, entered_in_error=False, collected_at__date__lte=as_of)
        .annotate(day=collected_day())
        .order_by("collected_at", "pk", "results__analyte__code")
        .values_list(
            "id",
            "day",
            "outcome",
            "method",
            *VALIDITY_COLUMNS,
            "results__analyte_id",
            "results__analyte__code",
            "results__result",
            "results__confirmation",
        )
    )
    prescriptions = [
        PrescriptionFact(str(analyte_id), start, end)
        for analyte_id, start, end in Prescription.objects.filter(
            client_id=episode.client_id, entered_in_error=False
        ).values_list("analyte_id", "start", "end")
    ]
    methods = dict(Screen.Method.choices)
    timeline = []
    for _, screen_rows in groupby(rows, key=itemgetter(0)):
        screen_rows = list(screen_rows)
        _, day, outcome, method, *validity = screen_rows[0][: 4 + len(VALIDITY_COLUMNS)]
        found = [
            (ResultFact(str(analyte_id), result, confirmation), code)
            for *_, analyte_id, code, result, confirmation in screen_rows
            if analyte_id is not None
        ]
        meaning = interpret(
            outcome=outcome,
            collected_on=day,
            results=[fact for fact, _ in found],
            validity=ValidityFact(*validity),
            prescriptions=prescriptions,
        )
        timeline.append(
            {
                "collected_on": day,
                "interpretation": meaning.value,
                "label": meaning.label,
                "keeps_streak": meaning in STREAK_KEEPING,
                "positives": ", ".join(code for fact, code in found if fact.result != ScreenResult.Result.NEGATIVE),
                "method": methods.get(method, method),
            }
        )
    return timeline


def goal_ratings(episode, as_of):
    """(goals [(ref, statement)], weeks [{week, ratings: [rating or None per goal]}]) oldest first."""
    rows = (
        GoalRating.objects.filter(worksheet__episode=episode, worksheet__week__lte=as_of)
        .values_list("worksheet__week", "goal__ref", "goal__statement", "rating")
        .order_by("worksheet__week", "goal__ref")
    )
    goals, by_week = {}, defaultdict(dict)
    for week, ref, statement, rating in rows:
        goals.setdefault(ref, statement)
        by_week[week][ref] = rating
    refs = sorted(goals)
    weeks = [{"week": week, "ratings": [by_week[week].get(ref) for ref in refs]} for week in sorted(by_week)]
    return [(ref, goals[ref]) for ref in refs], weeks


def checkin_measures(episode, as_of):
    """[{week, cravings, phq9, gad7, recommendation}] of the signed check-ins, oldest first."""
    rows = (
        CheckIn.objects.filter(episode=episode, week__lte=as_of, signed_at__isnull=False)
        .values_list("week", "cravings", "phq9_items", "gad7_items", "recommendation")
        .order_by("week")
    )
    labels = dict(CheckIn.Recommendation.choices)
    return [
        {
            "week": week,
            "cravings": cravings,
            "phq9": _safe_total(phq9_total, phq9),
            "gad7": _safe_total(gad7_total, gad7),
            "recommendation": labels.get(recommendation, recommendation),
        }
        for week, cravings, phq9, gad7, recommendation in rows
    ]


def episode_history(episode, as_of):
    """Everything the progress page charts, with the JSON the charts read."""
    last_day = min(as_of, episode.ended_on) if episode.ended_on else as_of
    mondays = weeks_between(week_start(episode.admitted_on), week_start(last_day))
    required = float(episode.required_weekly_hours)
    hours = attendance_weeks(episode, mondays, last_day)
    screens = screen_timeline(episode, last_day)
    goals, ratings = goal_ratings(episode, last_day)
    checkins = checkin_measures(episode, last_day)
    # Each row's date as its table and its chart write it (MM/DD/YYYY), formatted once here:
    # the template's |date filter on every row was a fifth of the tables' rendering.
    for rows, key in ((hours, "week"), (screens, "collected_on"), (ratings, "week"), (checkins, "week")):
        for row in rows:
            row["day_text"] = _label(row[key])
    chart = {
        "hours": {
            "labels": [h["day_text"] for h in hours],
            "hours": [h["hours"] for h in hours],
            "required": required,
        },
        "screens": {
            "labels": [s["day_text"] for s in screens],
            "values": [s["label"] for s in screens],
            "categories": [i.label for i in Interpretation],
        },
        "goals": {
            "labels": [w["day_text"] for w in ratings],
            "series": [{"label": ref, "data": [w["ratings"][i] for w in ratings]} for i, (ref, _) in enumerate(goals)],
        },
        "checkins": {
            "labels": [c["day_text"] for c in checkins],
            "cravings": [c["cravings"] for c in checkins],
            "phq9": [c["phq9"] for c in checkins],
            "gad7": [c["gad7"] for c in checkins],
        },
    }
    return {
        "hours": hours,
        "required_hours": required,
        "screens": screens,
        "goals": goals,
        "ratings": ratings,
        "checkins": checkins,
        "chart": chart,
    }


# The shape of ``episode_history``'s output as cached (dashboard.models.HistorySnapshot): a change
# to what it holds or to its words must bump this, so that no page reads a cache of the old shape.
HISTORY_FORMAT = 1
# (part, key): the rows of each part and their date, written as ISO text in the cache.
_DATED = (("hours", "week"), ("screens", "collected_on"), ("ratings", "week"), ("checkins", "week"))


def history_document(history):
    """``episode_history``'s output as JSON: its dates as ISO text, its goals as lists."""
    document = {**history, "format": HISTORY_FORMAT, "goals": [list(goal) for goal in history["goals"]]}
    for part, key in _DATED:
        document[part] = [{**row, key: row[key].isoformat()} for row in history[part]]
    return document


def history_from_document(document):
    """The ``episode_history`` output a ``history_document`` holds, equal to it; None for a
    document of another format (written by an older version of this module)."""
    if not document or document.get("format") != HISTORY_FORMAT:
        return None
    history = {k: v for k, v in document.items() if k != "format"}
    history["goals"] = [tuple(goal) for goal in document["goals"]]
    for part, key in _DATED:
        history[part] = [{**row, key: dt.date.fromisoformat(row[key])} for row in document[part]]
    return history


def _label(day: dt.date):
    return day.strftime("%m/%d/%Y")


STATUS_WORDS = {"ready": "ready", "approaching": "approaching", "not_ready": "not ready"}


def evidence_summary(evidence):
    """One line from a decision's evidence: readiness, the main markers, the flags."""
    if not evidence or "markers" not in evidence:
        return "No markers recorded."
    m = evidence["markers"]
    parts = [
        f"step-down {STATUS_WORDS.get(evidence['step_down']['status'], evidence['step_down']['status'])}",
        f"graduation {STATUS_WORDS.get(evidence['graduation']['status'], evidence['graduation']['status'])}",
        f"week {m['weeks_in_program']}",
    ]
    if m.get("attendance_rate_4w") is not None:
        parts.append(f"attendance {round(m['attendance_rate_4w'] * 100)}%")
    parts.append(f"{m['negative_streak']} negative screens in a row")
    if m.get("goals_on_track") is not None:
        parts.append(f"{round(m['goals_on_track'] * 100)}% of goals on track")
    flags = evidence.get("flags") or []
    parts.append("flags: " + (", ".join(f.replace("_", " ") for f in flags) if flags else "none"))
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."
