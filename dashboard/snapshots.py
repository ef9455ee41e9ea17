"""The markers snapshot: a per-episode cache of ``evaluate`` that the caseload pages, sorts and
filters in SQL (DESIGN.md "Markers" point 4).

A snapshot is current while its ``as_of`` is the day asked for and its ``inputs_version`` is the
episode's: every write service bumps the episode's version (``clients.services.
episodes_inputs_changed``) in its own transaction. ``refresh_stale`` recomputes the stale ones
of a set of episodes in one evaluation pass (``dashboard.queries.episode_evaluations``, the one
path to the rules) and one bulk upsert. The version is read *before* the facts, so a write that
commits meanwhile leaves the snapshot stale (recomputed next time), never wrongly current.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
from contextlib import contextmanager

from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from dashboard.history import episode_history, history_document, history_from_document
from dashboard.markers import (
    APPROACHING,
    FLAG_CODES,
    NOT_READY,
    READY,
    Criterion,
    Evaluation,
    Markers,
    Readiness,
)
from dashboard.models import HistorySnapshot, MarkerSnapshot
from dashboard.queries import episode_evaluations

UPSERT_BATCH = 1000  # rows per INSERT … ON CONFLICT (PostgreSQL's 65,535 parameters; SQLite batches smaller)
FLAG_COLUMNS = {code: f"flag_{code}" for code in FLAG_CODES}
# The readiness and each marker, as columns (what the caseload sorts, filters and shows).
MARKER_COLUMNS = (
    "step_down_status",
    "graduation_status",
    "weeks_in_program",
    "attendance_rate_4w",
    "hours_last_week",
    "negative_streak",
    "negative_streak_days",
    "last_screen_on",
    "goals_on_track",
    "latest_recommendation",
)
COLUMNS = [
    "as_of",
    "inputs_version",
    "computed_at",
    "evaluation",
    "shown",
    *MARKER_COLUMNS,
    "flag_count",
    *FLAG_COLUMNS.values(),
]
# The caseload's readiness filters (dashboard.forms.STATUS_FILTERS names them), on the columns.
STATUS_QUERIES = {
    "step_down_ready": Q(marker_snapshot__step_down_status=READY),
    "graduation_ready": Q(marker_snapshot__graduation_status=READY),
    "approaching": Q(marker_snapshot__step_down_status=APPROACHING) | Q(marker_snapshot__graduation_status=APPROACHING),
    "not_ready": Q(marker_snapshot__step_down_status=NOT_READY),
    "needs_attention": Q(marker_snapshot__flag_count__gt=0),
}


def flag_query(code):
    return Q(**{f"marker_snapshot__{FLAG_COLUMNS[code]}": True})


# The markers kept in ``shown`` (not in the evaluation's JSON), and what a snapshot stored before
# one of them was read as.
SHOWN_DEFAULTS = {"excused_absences_4w": 0, "attended_4w": 0, "expected_4w": 0, "required_weekly_hours": 9.0}

# The criteria's ``detail`` (the words and links of the Progress tab) are kept in ``shown`` under
# this key; a snapshot stored before they were has none, and the Progress tab recomputes it.
DETAILS = "details"


def _details_document(evaluation):
    """The criteria's details as JSON: {readiness: {criterion: detail}} for the criteria that have
    one, dates as ISO text and their keys listed under "dates" to be read back."""
    document, dates = {}, set()
    for key, readiness in (("step_down", evaluation.step_down), ("graduation", evaluation.graduation)):
        document[key] = {}
        for c in readiness.criteria:
            if c.detail:
                dates.update(k for k, v in c.detail.items() if isinstance(v, dt.date))
                document[key][c.name] = {k: _json_value(v) for k, v in c.detail.items()}
    document["dates"] = sorted(dates)
    return document


def _detail(values, dates):
    if not values:
        return {}
    return {k: dt.date.fromisoformat(v) if k in dates and isinstance(v, str) else v for k, v in values.items()}


def snapshot_of(episode_id, evaluation: Evaluation, as_of, inputs_version, computed_at) -> MarkerSnapshot:
    """The snapshot row of one evaluation: its JSON exactly ``as_dict()``, plus its columns."""
    m = evaluation.markers
    return MarkerSnapshot(
        episode_id=episode_id,
        as_of=as_of,
        inputs_version=inputs_version,
        computed_at=computed_at,
        evaluation=evaluation.as_dict(),
        shown={
            "excused_absences_4w": m.excused_absences_4w,
            "attended_4w": m.attended_4w,
            "expected_4w": m.expected_4w,
            "required_weekly_hours": m.required_weekly_hours,
            DETAILS: _details_document(evaluation),
        },
        step_down_status=evaluation.step_down.status,
        graduation_status=evaluation.graduation.status,
        weeks_in_program=m.weeks_in_program,
        attendance_rate_4w=m.attendance_rate_4w,
        hours_last_week=m.hours_last_week,
        negative_streak=m.negative_streak,
        negative_streak_days=m.negative_streak_days,
        last_screen_on=m.last_screen_on,
        goals_on_track=m.goals_on_track,
        latest_recommendation=m.latest_recommendation or "",
        flag_count=len(evaluation.flags),
        **{column: code in evaluation.flags for code, column in FLAG_COLUMNS.items()},
    )


def stale(episodes, as_of):
    """The episodes of the queryset ``episodes`` without a current snapshot as of ``as_of``."""
    current = MarkerSnapshot.objects.filter(
        episode=OuterRef("pk"), as_of=as_of, inputs_version=OuterRef("inputs_version")
    )
    return episodes.filter(~Exists(current))


# What an evaluation reads of an episode (load only these: any other field would be one more query per episode).
EPISODE_FIELDS = (
    "pk",
    "client_id",
    "site_id",
    "level_of_care",
    "admitted_on",
    "required_weekly_hours",
    "inputs_version",
)


def refresh(episodes, as_of) -> int:
    """Recompute and store the snapshots of ``episodes`` (model objects with ``inputs_version``
    as read before their facts): one evaluation pass, bulk upserts. Returns how many."""
    episodes = list(episodes)
    if not episodes:
        return 0
    with _cyclic_gc_paused():
        return len(_store(episodes, episode_evaluations(episodes, as_of), as_of))


@contextmanager
def _cyclic_gc_paused():
    """Python's cyclic garbage collector paused while a bulk evaluation allocates: reference
    counting frees its facts, dataclasses and JSON as it goes, and the collector's repeated passes
    over the growing heap were ~20 % of a full refresh (925 → 745 ms for 1,000 snapshots,
    measured with and without). It is given back as it was when the block ends, and then
    collects whatever cycles were made meanwhile."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _store(episodes, evaluations, as_of):
    computed_at = timezone.now()
    rows = [snapshot_of(e.pk, evaluations[e.pk], as_of, e.inputs_version, computed_at) for e in episodes]
    if connection.vendor == "postgresql":
        _upsert_postgresql(rows)
    else:
        MarkerSnapshot.objects.bulk_create(
            rows, batch_size=UPSERT_BATCH, update_conflicts=True, unique_fields=["episode"], update_fields=COLUMNS
        )
    return rows


def _json_value(value):
    return value.isoformat() if isinstance(value, dt.date) else value


def _upsert_postgresql(rows):
    """The same upsert as ``bulk_create(update_conflicts=True)``, with every row in ONE jsonb
    parameter that PostgreSQL expands (``jsonb_to_recordset``): Django's client-side binding of
    26 parameters a row cost more than the statement itself (about 0.4 s for 1,000 snapshots)."""
    fields = [MarkerSnapshot._meta.get_field(name) for name in ("episode", *COLUMNS)]
    columns = [f.column for f in fields]
    typed = ", ".join(f"{f.column} {f.db_type(connection)}" for f in fields)
    table = MarkerSnapshot._meta.db_table
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns[1:])
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) "  # nosec B608 (names from the model, values a parameter)
        f"SELECT {', '.join(columns)} FROM jsonb_to_recordset(%s::jsonb) AS r({typed}) "
        f"ON CONFLICT (episode_id) DO UPDATE SET {updates}"
    )
    for start in range(0, len(rows), UPSERT_BATCH):
        batch = [
            {f.column: _json_value(getattr(row, f.attname)) for f in fields}
            for row in rows[start : start + UPSERT_BATCH]
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, [json.dumps(batch)])


def current_evaluation(episode, as_of) -> Evaluation:
    """``episode``'s evaluation as of ``as_of`` with its criteria's details (the Progress tab):
    read from its snapshot when that is current (one query), else computed, stored and returned.
    ``episode`` is a model object whose ``inputs_version`` was read before this call."""
    snapshot = MarkerSnapshot.objects.filter(
        episode_id=episode.pk, as_of=as_of, inputs_version=episode.inputs_version
    ).first()
    if snapshot is not None and DETAILS in snapshot.shown:
        return evaluation_of(snapshot, with_details=True)
    evaluation = episode_evaluations([episode], as_of)[episode.pk]
    _store([episode], {episode.pk: evaluation}, as_of)
    return evaluation


def current_history(episode, as_of):
    """``episode``'s history (``dashboard.history.episode_history``: the Progress tab's charts and
    tables) as of ``as_of``: read from its cache when that is current (one query), else computed
    and stored (one upsert). Current as a snapshot is: the day asked for and the episode's
    ``inputs_version``, read before this call (a write that commits meanwhile leaves it stale,
    never wrongly current); and the code's ``HISTORY_FORMAT``."""
    document = (
        HistorySnapshot.objects.filter(episode_id=episode.pk, as_of=as_of, inputs_version=episode.inputs_version)
        .values_list("document", flat=True)
        .first()
    )
    history = history_from_document(document)
    if history is None:
        history = episode_history(episode, as_of)
        cached = HistorySnapshot(
            episode_id=episode.pk,
            as_of=as_of,
            inputs_version=episode.inputs_version,
            document=history_document(history),
        )
        HistorySnapshot.objects.bulk_create(
            [cached],
            update_conflicts=True,
            unique_fields=["episode"],
            update_fields=["as_of", "inputs_version", "document"],
        )
    return history


def refresh_stale(episodes, as_of) -> int:
    """Bring the snapshots of the queryset ``episodes`` up to date as of ``as_of``: one query when
    all are current; else that, the evaluation's queries and the upsert."""
    # In episode order: two requests refreshing overlapping rows lock them in the same order
    # (no deadlock; the later upsert simply wins, and both wrote a correct snapshot).
    todo = list(stale(episodes, as_of).select_related(None).only(*EPISODE_FIELDS).order_by("pk"))
    return refresh(todo, as_of)


# --- Reading a snapshot back ------------------------------------------------------------------


def _day(text):
    return dt.date.fromisoformat(text) if text else None


def _readiness(document, details, dates):
    """A Readiness from its JSON; each criterion's detail from ``details`` ({name: values})."""
    criteria = tuple(
        Criterion(c["name"], c["measured"], c["required"], c["met"], _detail(details.get(c["name"], {}), dates))
        for c in document["criteria"]
    )
    return Readiness(document["status"], criteria)


def evaluation_of(snapshot: MarkerSnapshot, *, with_details=False) -> Evaluation:
    """The ``Evaluation`` a snapshot caches: the rates from their unrounded columns, the rest from
    the JSON; ``with_details``, the criteria's details too (the Progress tab; the caseload shows
    none of them)."""
    document, shown = snapshot.evaluation, snapshot.shown
    details = (shown.get(DETAILS) or {}) if with_details else {}
    dates = set(details.get("dates", ()))
    m = document["markers"]
    markers = Markers(
        weeks_in_program=m["weeks_in_program"],
        attendance_rate_4w=snapshot.attendance_rate_4w,
        hours_by_week=tuple(m["hours_by_week"]),
        negative_streak=m["negative_streak"],
        negative_streak_days=m["negative_streak_days"],
        last_screen_on=_day(m["last_screen_on"]),
        days_since_unexpected_positive=m["days_since_unexpected_positive"],
        goals_on_track=snapshot.goals_on_track,
        latest_recommendation=m["latest_recommendation"],
        latest_checkin_on=_day(m["latest_checkin_on"]),
        **{key: shown.get(key, default) for key, default in SHOWN_DEFAULTS.items()},
    )
    return Evaluation(
        markers=markers,
        step_down=_readiness(document["step_down"], details.get("step_down", {}), dates),
        graduation=_readiness(document["graduation"], details.get("graduation", {}), dates),
        flags=tuple(document["flags"]),
    )
