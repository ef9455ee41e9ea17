"""What a letter says, composed from the record for one episode and one period — and only for
the categories asked for (each section is built only when its category is released)."""

import datetime as dt
from dataclasses import dataclass, field

from attendance.queries import attendance_rows, facts_of
from attendance.rules import weekly_summaries
from consents import rules as consent_rules
from dashboard.queries import episode_evaluation
from goals.models import Goal
from iop.dates import week_end
from screening.interpretation import Interpretation
from screening.queries import screen_interpretations

READINESS_WORDS = {"ready": "ready", "approaching": "approaching readiness", "not_ready": "not yet ready"}


@dataclass
class LetterContent:
    episode: object
    period_start: dt.date
    period_end: dt.date
    categories: frozenset
    sections: dict = field(default_factory=dict)


def letter_content(*, episode, categories, period_start, period_end) -> LetterContent:
    content = LetterContent(episode, period_start, period_end, frozenset(categories))
    builders = {
        consent_rules.ATTENDANCE: _attendance,
        consent_rules.SCREEN_RESULTS: _screen_results,
        consent_rules.SCREEN_SUMMARY: _screen_summary,
        consent_rules.PROGRESS: _progress,
        consent_rules.GOALS: _goals,
        consent_rules.LEVEL_OF_CARE: _level_of_care,
    }
    for category, build in builders.items():
        if category in content.categories:
            content.sections[category] = build(episode, period_start, period_end)
    return content


def _attendance(episode, start, end):
    rows = [r for r in attendance_rows([episode.pk], start) if r.date <= end]
    weeks = weekly_summaries(facts_of(rows), start, end, episode.required_weekly_hours)
    # A week the period cuts (its first or last) is shown "part of the week": its hours are
    # never held against the weekly requirement.
    whole = [w for w in weeks if w.week >= start and week_end(w.week) <= end]
    return {
        "weeks": [(w, w not in whole) for w in weeks],
        "expected": sum(w.expected for w in weeks),
        "attended": sum(w.attended for w in weeks),
        "excused": sum(w.excused for w in weeks),
        "unexcused": sum(w.unexcused for w in weeks),
        "hours": sum(w.hours for w in weeks),
        "whole_weeks": len(whole),
        "weeks_met": sum(1 for w in whole if w.hours_met),
        "required_hours": episode.required_weekly_hours,
    }


def _screens_in(episode, start, end):
    return [
        (day, meaning, screen)
        for day, meaning, screen in screen_interpretations([episode.pk])[episode.pk]
        if start <= day <= end
    ]


def _screen_summary(episode, start, end):
    """Counts only: no substance is named."""
    screens = _screens_in(episode, start, end)
    count = {m: sum(1 for _, meaning, _ in screens if meaning == m) for m in Interpretation}
    return {
        "total": len(screens),
        "negative": count[Interpretation.NEGATIVE] + count[Interpretation.EXPECTED_POSITIVE],
        "positive": count[Interpretation.UNEXPECTED_POSITIVE] + count[Interpretation.PENDING_CONFIRMATION],
        "refused_or_missed": count[Interpretation.REFUSED] + count[Interpretation.MISSED],
        "invalid": count[Interpretation.INVALID],
        "inconclusive": count[Interpretation.INCONCLUSIVE],
    }


def _screen_results(episode, start, end):
    return [
        {
            "day": day,
            "meaning": Interpretation(meaning).label,
            "results": [f"{r.analyte.name}: {r.get_result_display().lower()}" for r in screen.results.all()],
        }
        for day, meaning, screen in reversed(_screens_in(episode, start, end))
    ]


def _progress(episode, start, end):
    evaluation = episode_evaluation(episode, end).as_dict()
    return {
        "as_of": end,
        "weeks_in_program": evaluation["markers"]["weeks_in_program"],
        # None where step-down does not apply (outpatient: nothing lower); the letter says so.
        "step_down": READINESS_WORDS.get(evaluation["step_down"]["status"]),
        "graduation": READINESS_WORDS.get(evaluation["graduation"]["status"], evaluation["graduation"]["status"]),
    }


def _goals(episode, start, end):
    return list(Goal.objects.filter(episode=episode).exclude(status=Goal.Status.REVISED).order_by("ref"))


def _level_of_care(episode, start, end):
    return {
        "level": episode.get_level_of_care_display(),
        "status": episode.get_status_display(),
        "admitted_on": episode.admitted_on,
        "ended_on": episode.ended_on,
        "end_reason": episode.get_end_reason_display() if episode.end_reason else "",
    }
