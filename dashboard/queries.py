"""Gather the facts behind the markers for many episodes at once, in a fixed number of queries.

``episode_evaluations(episodes, as_of)`` is the one path from the database to
``dashboard.markers.evaluate``: the caseload page, the client progress page, decisions and
``manage.py markers`` all go through it, so they show the same numbers.

Queries (whatever the number of episodes; none at all for an empty list):
 0. the clients' earlier episodes (a continuous stay carries their screens, risk and absences)
 1. attendance rows in the marker windows (dashboard.markers.attendance_read_from)
 2. screens dated on or before D that the rules read (dashboard.markers.screen_window_days):
    every screen of the window, and older ones that may not be negative
 3. the specimen-validity measures of those screens that have any
 4. the screens' non-negative results (a negative result can never change the reading)
 5. the clients' prescriptions (expected positives)
 6. the older screens of the episodes whose streak runs past the window, back to its break
 7. worksheets whose week began in the worksheet window
 8. the goal ratings of those worksheets, with each goal's status
 9. every goal, with the day it was set and the day it stopped being active
10. check-ins whose week began on or before D
11. the readiness criteria of the episodes' sites and levels of care (programs.services.criteria_for_many)

Local dates (screens) are computed by the database in the program's time zone.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils import timezone

from attendance.queries import EFFECTIVE_MINUTES, EFFECTIVE_STATUS, effective_attendance
from attendance.rules import AttendanceFact
from checkins.models import CheckIn
from checkins.scoring import risk_flag
from clients.models import Episode
from goals.models import Goal, GoalRating, Worksheet
from goals.queries import goal_facts
from programs.services import criteria_for_many
from screening.interpretation import PrescriptionFact, ResultFact, ValidityFact, interpret
from screening.models import Prescription, Screen, ScreenResult
from screening.queries import collected_day, may_not_be_negative

from .markers import (
    CheckInFact,
    EpisodeFacts,
    Evaluation,
    ScreenFact,
    Thresholds,
    WorksheetFact,
    attendance_read_from,
    evaluate,
    is_continuous_stay,
    screen_window_days,
    streak_read_back_to,
    worksheets_read_from,
)

QUERIES_PER_EVALUATION = 12  # the list above; tests pin it


def level_thresholds(pairs) -> dict[tuple[int, str], Thresholds]:
    """{(site id, level of care): Thresholds} of each pair (a missing row: that level's defaults). One query."""
    return {key: Thresholds.from_criteria(row) for key, row in criteria_for_many(pairs).items()}


def thresholds_key(episode) -> tuple[int, str]:
    """The criteria an episode is judged by: its site's, for its current level of care."""
    return (episode.site_id, episode.level_of_care)


def _day_end(day):
    """The first instant after ``day`` in the program's time zone."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def _attendance(ids, as_of, earliest):
    rows = defaultdict(list)
    qs = (
        effective_attendance()  # a corrected row counts as corrected (AttendanceCorrection)
        .filter(episode_id__any_of=ids, session__date__gte=earliest, session__date__lte=as_of)
        .order_by()
        .values_list("episode_id", "session__date", EFFECTIVE_STATUS, EFFECTIVE_MINUTES, "session__status")
    )
    for episode_id, day, status, minutes, session_status in qs:
        rows[episode_id].append(AttendanceFact(day, status, minutes, session_status))
    return rows


def _day_start(day):
    """The first instant of ``day`` in the program's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _screen_rows(screens):
    """(id, episode id, local collection date, outcome, temperature in range, adulterant noted) of a
    Screen queryset, oldest first per episode: the date computed by the database (the program's
    time zone), not converted row by row here."""
    return list(
        screens.annotate(day=collected_day())
        .order_by("episode_id", "collected_at")
        .values_list("id", "episode_id", "day", "outcome", "temperature_in_range", "adulterant_noted")
    )


def _screens(ids, client_of, as_of, window_start, *, full=False):
    """(screen facts per episode, oldest first, each interpreted against the client's
    prescriptions; a function reading and interpreting more screens of ``in_scope``).

    Read (dashboard.markers.screen_window_days): every screen from ``window_start``, and every
    older one that may not be negative; ``full`` reads every screen (the tests' yardstick)."""
    end = _day_end(as_of)
    in_scope = Screen.objects.filter(episode_id__any_of=ids, entered_in_error=False, collected_at__lt=end)
    read = in_scope if full else in_scope.filter(Q(collected_at__gte=_day_start(window_start)) | may_not_be_negative())
    screens = _screen_rows(read)
    # Specimen-validity measures, only for the (few) screens that have one: decimals are slow to load.
    measured = {
        screen_id: (creat, sg, ph, nitrite)
        for screen_id, creat, sg, ph, nitrite in in_scope.filter(
            Q(creatinine_mg_dl__isnull=False)
            | Q(specific_gravity__isnull=False)
            | Q(ph__isnull=False)
            | Q(nitrite_ug_ml__isnull=False)
        )
        .order_by()
        .values_list("id", "creatinine_mg_dl", "specific_gravity", "ph", "nitrite_ug_ml")
    }
    results = defaultdict(list)
    non_negative = (
        ScreenResult.objects.filter(
            screen__episode_id__any_of=ids, screen__entered_in_error=False, screen__collected_at__lt=end
        )
        .exclude(Q(result=ScreenResult.Result.NEGATIVE) | Q(confirmation=ScreenResult.Confirmation.CONFIRMED_NEGATIVE))
        .order_by()
        .values_list("screen_id", "analyte_id", "result", "confirmation")
    )
    for screen_id, analyte_id, result, confirmation in non_negative:
        results[screen_id].append(ResultFact(str(analyte_id), result, confirmation))
    prescriptions = defaultdict(list)
    clients = set(client_of.values())
    for client_id, analyte_id, start, stop in (
        Prescription.objects.filter(client_id__any_of=clients, entered_in_error=False)
        .order_by()
        .values_list("client_id", "analyte_id", "start", "end")
    ):
        prescriptions[client_id].append(PrescriptionFact(str(analyte_id), start, stop))

    def interpreted(rows):
        facts = defaultdict(list)
        for screen_id, episode_id, day, outcome, temperature, adulterant in rows:
            creat, sg, ph, nitrite = measured.get(screen_id, (None, None, None, None))
            reading = interpret(
                outcome=outcome,
                collected_on=day,
                results=results.get(screen_id, ()),
                validity=ValidityFact(temperature, creat, sg, ph, nitrite, adulterant),
                prescriptions=prescriptions.get(client_of[episode_id], ()),
            )
            facts[episode_id].append(ScreenFact(day, str(reading.value)))
        return facts

    def read_more(condition):
        return interpreted(_screen_rows(in_scope.filter(condition)))

    return interpreted(screens), read_more


def _screens_back_to_breaks(episodes, chains, screens, as_of, window_start, read_more):
    """The screen facts with, for every episode whose streak runs past ``window_start``
    (dashboard.markers.streak_read_back_to), every older screen back to the day of its break, in
    one query (always run, so the number of queries stays fixed)."""
    since = {}  # episode id → the first day to read in full (None: every screen)
    for e in episodes:
        stay = chains[e.pk]
        facts = EpisodeFacts(
            admitted_on=e.admitted_on,
            screens=tuple(screens.get(e.pk, ())),
            continued=bool(stay),
            prior_screens=tuple(fact for pk in reversed(stay) for fact in screens.get(pk, ())),
        )
        needed, day = streak_read_back_to(facts, as_of, window_start)
        if needed:
            for pk in [e.pk, *stay]:
                since[pk] = None if None in (day, since.get(pk, day)) else min(day, since.get(pk, day))
    by_day = defaultdict(list)  # one condition per day (few), not per episode (many)
    for pk, day in since.items():
        by_day[day].append(pk)
    condition = Q(pk=-1)  # nothing to read: still one (empty) query
    for day, pks in by_day.items():
        condition |= Q(episode_id__in=pks) if day is None else Q(episode_id__in=pks, collected_at__gte=_day_start(day))
    older = read_more(condition & Q(collected_at__lt=_day_start(window_start)))
    merged = dict(screens)
    for pk, day in since.items():
        kept = screens.get(pk, ())
        before = [f for f in kept if day is not None and f.collected_on < day]  # the read older ones
        recent = [f for f in kept if f.collected_on >= window_start]
        merged[pk] = before + older.get(pk, []) + recent
    return merged


def _worksheets(ids, as_of, earliest):
    sheets = list(
        Worksheet.objects.filter(episode_id__any_of=ids, week__gte=earliest, week__lte=as_of)
        .order_by()
        .values_list("id", "episode_id", "week")
    )
    ratings = defaultdict(list)
    for worksheet_id, goal_id, rating in (
        GoalRating.objects.filter(worksheet_id__any_of=[s[0] for s in sheets])
        .order_by()
        .values_list("worksheet_id", "goal_id", "rating")
    ):
        ratings[worksheet_id].append((goal_id, rating))
    facts = defaultdict(list)
    for worksheet_id, episode_id, week in sheets:
        facts[episode_id].append(WorksheetFact(week, tuple(ratings.get(worksheet_id, ()))))
    goals = defaultdict(list)
    for episode_id, goal in goal_facts(Goal.objects.filter(episode_id__any_of=ids)):
        goals[episode_id].append(goal)
    return facts, goals


def _checkins(ids, as_of):
    facts = defaultdict(list)
    qs = (
        CheckIn.objects.filter(episode_id__any_of=ids, week__lte=as_of)
        .annotate(
            signed=ExpressionWrapper(Q(signed_at__isnull=False), output_field=BooleanField()),
            awaiting=ExpressionWrapper(
                Q(cosign_supervisor__isnull=False, cosigned_at__isnull=True), output_field=BooleanField()
            ),
        )
        .order_by()
        .values_list(
            "episode_id",
            "week",
            "signed",
            "recommendation",
            "risk",
            "suicidal_ideation",
            "homicidal_ideation",
            "overdose_risk",
            "phq9_items",
            "awaiting",
        )
    )
    for episode_id, week, signed, recommendation, risk, si, hi, overdose, phq9, awaiting in qs:
        flagged = risk_flag(
            risk=risk, suicidal_ideation=si, homicidal_ideation=hi, overdose_risk=overdose, phq9_items=_items(phq9)
        )
        facts[episode_id].append(CheckInFact(week, bool(signed), recommendation, flagged, bool(awaiting)))
    return facts


def _items(items):
    """PHQ-9 answers as stored, or None when they are not a usable list."""
    if isinstance(items, list) and all(isinstance(i, int) and not isinstance(i, bool) for i in items):
        return items if len(items) == 9 else None
    return None


def continued_stays(episodes, as_of) -> dict[int, list[int]]:
    """{episode id: [ids of the earlier episodes its continuous stay carries]} (one query): an
    episode that opened the day the previous one ended by a step-down or step-up continues it."""
    clients = {e.client_id for e in episodes}
    earlier = defaultdict(list)  # client id → [(pk, admitted_on, ended_on, end_reason)]
    for pk, client_id, admitted_on, ended_on, end_reason in (
        Episode.objects.filter(client_id__any_of=clients, ended_on__isnull=False, ended_on__lte=as_of)
        .order_by()
        .values_list("pk", "client_id", "admitted_on", "ended_on", "end_reason")
    ):
        earlier[client_id].append((pk, admitted_on, ended_on, end_reason))
    chains = {}
    for e in episodes:
        chain, opened = [], e.admitted_on
        while True:
            previous = next(
                (
                    row
                    for row in earlier.get(e.client_id, ())
                    if row[0] not in chain and row[0] != e.pk and is_continuous_stay(row[2], row[3], opened)
                ),
                None,
            )
            if previous is None:
                break
            chain.append(previous[0])
            opened = previous[1]
        chains[e.pk] = chain
    return chains


def episode_facts(episodes, as_of, thresholds_by_site, *, full=False) -> dict[int, EpisodeFacts]:
    """The facts of every episode (model objects with ``client_id``/``site_id``), as of ``as_of``:
    what the rules read (dashboard.markers' windows); ``full`` reads every screen instead (the
    yardstick of tests/dashboard/test_fact_windows.py: ``evaluate`` gives the same either way)."""
    chains = continued_stays(episodes, as_of)
    own = [e.pk for e in episodes]
    ids = own + [pk for chain in chains.values() for pk in chain if pk not in own]
    client_of = {e.pk: e.client_id for e in episodes}
    client_of.update({pk: e.client_id for e in episodes for pk in chains[e.pk]})
    windows = list(thresholds_by_site.values()) or [Thresholds()]
    attendance_from = min(attendance_read_from(as_of, t) for t in windows)
    worksheets_from = min(worksheets_read_from(as_of, t) for t in windows)
    screens_from = min(as_of - dt.timedelta(days=screen_window_days(t)) for t in windows)
    attendance = _attendance(ids, as_of, attendance_from)
    screens, read_more = _screens(ids, client_of, as_of, screens_from, full=full)
    if not full:
        screens = _screens_back_to_breaks(episodes, chains, screens, as_of, screens_from, read_more)
    worksheets, goals = _worksheets(own, as_of, worksheets_from)
    checkins = _checkins(ids, as_of)

    def carried(facts_by_episode, episode):
        return tuple(fact for pk in reversed(chains[episode.pk]) for fact in facts_by_episode.get(pk, ()))

    return {
        e.pk: EpisodeFacts(
            admitted_on=e.admitted_on,
            # the Decimal itself: 66 minutes meet 1.1 required hours (float(1.1) is just above 1.1)
            required_weekly_hours=e.required_weekly_hours,
            attendance=tuple(attendance.get(e.pk, ())),
            screens=tuple(screens.get(e.pk, ())),
            worksheets=tuple(worksheets.get(e.pk, ())),
            checkins=tuple(checkins.get(e.pk, ())),
            goals=tuple(goals.get(e.pk, ())),
            continued=bool(chains[e.pk]),
            prior_attendance=carried(attendance, e),
            prior_screens=carried(screens, e),
            prior_checkins=carried(checkins, e),
        )
        for e in episodes
    }


def episode_evaluations(episodes, as_of) -> dict[int, Evaluation]:
    """{episode id: Evaluation} for every given episode, in QUERIES_PER_EVALUATION queries."""
    episodes = list(episodes)
    if not episodes:
        return {}
    thresholds = level_thresholds({thresholds_key(e) for e in episodes})
    facts = episode_facts(episodes, as_of, thresholds)
    return {e.pk: evaluate(facts[e.pk], as_of, thresholds[thresholds_key(e)]) for e in episodes}


def episode_evaluation(episode, as_of) -> Evaluation:
    """The evaluation of one episode (same code path as the caseload)."""
    return episode_evaluations([episode], as_of)[episode.pk]


def evaluation_document(episode, evaluation, as_of) -> dict:
    """The full INTERFACES.md markers object (``episode.client`` must be loaded)."""
    return {
        "mrn": episode.client.mrn,
        "episode": episode.ref,
        "as_of": as_of.isoformat(),
        **evaluation.as_dict(),
    }
