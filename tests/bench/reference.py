"""The from-scratch reference: ONE hand-written PostgreSQL query computing, for every active episode
as of a date, the markers, readiness and flags of ``dashboard.markers.evaluate`` (issue 16).

It is a second, independent implementation on purpose: the benchmark divides each page's time by
this query's (what recomputing everything on every request would cost at best), and the checker
(``reference_differences``) proves both implementations agree, episode by episode. It reads the
tables directly, from scratch: every attendance row, screen, result, prescription, goal (with its
history), worksheet and check-in of the episodes, with no snapshot and no window of the app's
fact queries (its windows are the rules' own). The app never imports this module.

Faithful, not approximate:
- local dates in SQL: ``collected_at AT TIME ZONE <TIME_ZONE>`` (screens, goals set and closed);
- the screen interpretation of ``screening.interpretation.interpret`` (refused / missed / invalid
  and the specimen-validity rules, results overturned by a confirmed negative, inconclusive /
  pending, positives explained by the client's prescriptions on the collection day, precedence);
- a continuous stay (opened the day a step-down or step-up ended the previous episode, or the
  day after): its carried screens, absences and check-ins (a recursive CTE over the chain),
  same-day screens ordered as ``evaluate`` orders them, and its settling-in days (days 0–6 of
  the episode raise no ``screen_overdue``, ``checkin_overdue`` nor ``hours_short``);
- each attendance row as it counts: the latest ``AttendanceCorrection`` (by ``corrected_at``,
  then id; at any date, as ``attendance.queries.effective_attendance`` reads it), else the row
  as recorded; the modality (in person, video, phone) is not read: every one counts the same;
- required weekly hours compared as numerics (66 minutes meet 1.1 hours, as the Decimal does);
- the readiness check-in: signed, and co-signed where the episode's criteria require the
  co-signature (``readiness_requires_cosignature``) of an author who needed one
  (``cosign_supervisor`` set); the markers' latest check-in and the overdue flag need the
  author's signature only;
- step-down "not applicable" (no criteria) where the level's ``step_down_applies`` is off, and
  the thresholds of 0 that require nothing (a share of goals of 0 is met without a worksheet);
- PHQ-9 item 9 counted only from a list of nine whole numbers, as ``dashboard.queries`` reads it.

Deliberate limits (documented, not hidden):
- the rounding of the two shares to 2 places (``attendance_rate_4w``, ``goals_on_track`` in the
  JSON) is done in Python with ``round()``: PostgreSQL's ``round(numeric)`` rounds ties away from
  zero and its float8→numeric cast keeps 15 digits, so it cannot reproduce Python's rounding of
  the same double. The SQL returns the unrounded doubles (equal to the snapshot columns);
- when two ended episodes of a client could both be continued by the same episode (two step-downs
  ending the same day), the SQL follows both; ``dashboard.queries.continued_stays`` takes one.

Thresholds: the ``criteria`` CTE is the only place the thresholds are joined (one row per
evaluated episode: the ``programs_criteria`` row of its site and current level of care, or that
level's defaults — ``programs.models.LEVEL_DEFAULTS`` over the field defaults, read through
``programs.services.criteria_unsaved`` and passed as one JSON parameter, ``level_defaults()``).
The defaults are data taken from the app; every rule applying them is written here again.

Run it with ``jit = off`` (``SET LOCAL`` in the query's transaction): PostgreSQL's JIT adds about
0.8 s of compilation to a query of this size and gains nothing at this row count.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
import time
from contextlib import contextmanager
from dataclasses import fields

from django.conf import settings

from dashboard.markers import FLAG_CODES, Thresholds

# Every threshold the query reads, with its default (a site without a Criteria row).
THRESHOLD_FIELDS = [f.name for f in fields(Thresholds)]

_SQL_TYPES = {bool: "boolean", float: "float8", int: "int"}
_CRITERIA_COLUMNS = ",\n           ".join(
    f"COALESCE(c.{f.name}::{_SQL_TYPES[type(f.default)]}, "
    f"(dflt.v ->> '{f.name}')::{_SQL_TYPES[type(f.default)]}) AS {f.name}"
    for f in fields(Thresholds)
)


REFERENCE_SQL = (
    """
WITH RECURSIVE
params AS (
    SELECT %(as_of)s::date AS d, %(tz)s::text AS tz
),
roots AS (  -- the episodes evaluated: every active one (or the ones asked for)
    SELECT e.id, e.client_id, e.site_id, e.level_of_care, e.admitted_on, e.required_weekly_hours
    FROM clients_episode e
    WHERE e.status = 'active'
      AND (%(episode_ids)s::bigint[] IS NULL OR e.id = ANY(%(episode_ids)s::bigint[]))
),
criteria AS (  -- THE thresholds join: one row per evaluated episode (its site and level's row, else
                 -- the level's defaults)
    SELECT r.id AS episode_id,
           """
    + _CRITERIA_COLUMNS
    + """
    FROM roots r
    CROSS JOIN LATERAL (SELECT %(level_defaults)s::jsonb -> r.level_of_care AS v) dflt
    LEFT JOIN programs_criteria c ON c.site_id = r.site_id AND c.level_of_care = r.level_of_care
),
ep AS (  -- each episode with its thresholds and the dates every rule measures from
    SELECT r.*, k.*, p.d, p.tz,
           date_trunc('week', p.d)::date AS monday_d,   -- Monday of D's week
           extract(isodow FROM p.d)::int - 1 AS weekday_d  -- 0 = Monday
    FROM roots r
    JOIN criteria k ON k.episode_id = r.id
    CROSS JOIN params p
),
chain AS (  -- the episode itself (depth 0) and the earlier episodes its continuous stay carries
    SELECT ep.id AS root, ep.id AS episode_id, ep.client_id, ep.admitted_on AS opened, 0 AS depth,
           ARRAY[ep.id::bigint] AS path, ep.readiness_requires_cosignature AS cosignature_required
    FROM ep
    UNION ALL
    SELECT ch.root, prev.id, ch.client_id, prev.admitted_on, ch.depth + 1, ch.path || prev.id::bigint,
           ch.cosignature_required
    FROM chain ch
    JOIN clients_episode prev
      ON prev.client_id = ch.client_id
     AND prev.ended_on BETWEEN ch.opened - 1 AND ch.opened  -- ended that day or the day before
     AND prev.ended_on <= (SELECT d FROM params)
     AND prev.end_reason IN ('stepped_down', 'stepped_up')
     AND NOT prev.id = ANY(ch.path)
),
continued AS (
    SELECT root, bool_or(depth > 0) AS continued FROM chain GROUP BY root
),

-- Attendance: each row as it counts (the latest correction after signing, by corrected_at then id,
-- else the row as recorded); the rows that count (neither the session nor the row cancelled),
-- dated on or before D. Every modality (in person, video, phone) counts the same.
att_effective AS (
    SELECT ch.root, ch.depth, s.date AS day, s.status AS session_status,
           COALESCE(fix.status, a.status) AS status,
           COALESCE(fix.minutes_attended, a.minutes_attended) AS minutes
    FROM chain ch
    JOIN attendance_attendance a ON a.episode_id = ch.episode_id
    JOIN attendance_session s ON s.id = a.session_id
    LEFT JOIN LATERAL (
        SELECT k.status, k.minutes_attended
        FROM attendance_attendancecorrection k
        WHERE k.attendance_id = a.id
        ORDER BY k.corrected_at DESC, k.id DESC
        LIMIT 1
    ) fix ON true
    WHERE s.date <= (SELECT d FROM params)
),
att AS (
    SELECT root, depth, day, status, minutes
    FROM att_effective
    WHERE session_status <> 'cancelled' AND status <> 'cancelled'
),
rate AS (  -- the episode's own sessions of the last attendance_window_days; absences flag: carried too
    SELECT ep.id,
           count(*) FILTER (WHERE a.depth = 0 AND a.day >= ep.d - ep.attendance_window_days
                            AND a.status IN ('present', 'late', 'left_early')) AS attended,
           count(*) FILTER (WHERE a.depth = 0 AND a.day >= ep.d - ep.attendance_window_days
                            AND a.status = 'excused') AS excused,
           count(*) FILTER (WHERE a.depth = 0 AND a.day >= ep.d - ep.attendance_window_days
                            AND a.status = 'absent') AS unexcused,
           count(*) FILTER (WHERE a.day >= ep.d - ep.flag_absences_days AND a.status = 'absent') AS absences
    FROM ep
    LEFT JOIN att a ON a.root = ep.id
    GROUP BY ep.id
),
weeks AS (  -- the complete weeks before D's week: n = 1 is last week
    SELECT ep.id, n, ep.monday_d - 7 * n AS monday,
           ep.monday_d - 7 * n + 6 < ep.admitted_on AS before_admission
    FROM ep, generate_series(1, ep.hours_weeks_window) AS n
),
week_minutes AS (
    SELECT w.id, w.n, w.monday, w.before_admission,
           COALESCE(sum(a.minutes) FILTER (WHERE a.status IN ('present', 'late', 'left_early')), 0) AS minutes
    FROM weeks w
    LEFT JOIN att a ON a.root = w.id AND a.depth = 0 AND a.day BETWEEN w.monday AND w.monday + 6
    GROUP BY w.id, w.n, w.monday, w.before_admission
),
hours AS (
    SELECT w.id,
           array_agg(CASE WHEN w.before_admission THEN NULL ELSE round(w.minutes::numeric / 60, 2)::float8 END
                     ORDER BY w.monday) AS hours_by_week,
           count(*) FILTER (WHERE NOT w.before_admission
                            AND w.minutes >= ep.required_weekly_hours * 60) AS weeks_met,
           bool_or(w.n = 1 AND NOT w.before_admission AND ep.admitted_on <= w.monday  -- not the partial week
                   AND w.minutes < ep.required_weekly_hours * 60) AS hours_short
    FROM week_minutes w
    JOIN ep ON ep.id = w.id
    GROUP BY w.id
),

-- Screens: dated (local date) on or before D, not entered in error, each interpreted.
scr AS (
    SELECT ch.root, ch.depth, ch.client_id, sc.id, sc.collected_at,
           (sc.collected_at AT TIME ZONE (SELECT tz FROM params))::date AS day,
           sc.outcome, sc.temperature_in_range, sc.creatinine_mg_dl AS creat, sc.specific_gravity AS sg,
           sc.ph, sc.nitrite_ug_ml AS nitrite, sc.adulterant_noted
    FROM chain ch
    JOIN screening_screen sc ON sc.episode_id = ch.episode_id
    WHERE NOT sc.entered_in_error
      AND (sc.collected_at AT TIME ZONE (SELECT tz FROM params))::date <= (SELECT d FROM params)
),
found AS (  -- what each result not negative (nor confirmed negative) says
    SELECT s.root, s.id AS screen_id,
           CASE WHEN r.result = 'inconclusive' AND r.confirmation <> 'confirmed_positive'
                THEN CASE WHEN r.confirmation = 'pending' THEN 'pending' ELSE 'inconclusive' END
                ELSE 'positive' END AS kind,
           EXISTS (SELECT 1 FROM screening_prescription p
                   WHERE p.client_id = s.client_id AND NOT p.entered_in_error AND p.analyte_id = r.analyte_id
                     AND p.start <= s.day AND (p."end" IS NULL OR s.day <= p."end")) AS explained
    FROM scr s
    JOIN screening_screenresult r ON r.screen_id = s.id
    WHERE r.result <> 'negative' AND r.confirmation <> 'confirmed_negative'
),
found_by_screen AS (
    SELECT root, screen_id,
           bool_or(kind = 'positive' AND NOT explained) AS unexpected,
           bool_or(kind = 'inconclusive') AS inconclusive,
           bool_or(kind = 'pending') AS pending,
           bool_or(kind = 'positive' AND explained) AS expected
    FROM found
    GROUP BY root, screen_id
),
reading AS (
    SELECT s.root, s.depth, s.day, s.collected_at,
           CASE
             WHEN s.outcome = 'refused' THEN 'refused'
             WHEN s.outcome = 'missed' THEN 'missed'
             WHEN s.outcome = 'invalid'
               OR s.adulterant_noted
               OR (s.ph IS NOT NULL AND (s.ph < 3 OR s.ph >= 11))
               OR (s.nitrite IS NOT NULL AND s.nitrite >= 500)
               OR (s.creat IS NOT NULL AND s.sg IS NOT NULL
                   AND ((s.creat < 2 AND (s.sg <= 1.001 OR s.sg >= 1.020)) OR (s.creat < 20 AND s.sg < 1.003)))
               OR s.temperature_in_range IS FALSE
               THEN 'invalid'
             WHEN f.unexpected THEN 'unexpected_positive'
             WHEN f.inconclusive THEN 'inconclusive'
             WHEN f.pending THEN 'pending_confirmation'
             WHEN f.expected THEN 'expected_positive'
             ELSE 'negative'
           END AS reading
    FROM scr s
    LEFT JOIN found_by_screen f ON f.root = s.root AND f.screen_id = s.id
),
ranked AS (  -- newest first; same day: the later episode of the stay first, then the later time
    SELECT r.*, row_number() OVER (PARTITION BY r.root ORDER BY r.day DESC, r.depth ASC, r.collected_at DESC) AS ord
    FROM reading r
),
first_break AS (
    SELECT root, min(ord) FILTER (WHERE reading NOT IN ('negative', 'expected_positive')) AS ord
    FROM ranked
    GROUP BY root
),
screens AS (
    SELECT ep.id,
           count(r.ord) FILTER (WHERE b.ord IS NULL OR r.ord < b.ord) AS streak,
           max(r.day) - min(r.day) FILTER (WHERE b.ord IS NULL OR r.ord < b.ord) AS span,
           count(r.ord) FILTER (WHERE (b.ord IS NULL OR r.ord < b.ord)
                                AND r.reading = 'expected_positive') AS expected_positives,
           max(r.day) AS last_screen_on,
           max(r.day) FILTER (WHERE r.reading = 'unexpected_positive') AS last_unexpected,
           max(r.day) FILTER (WHERE r.reading IN ('unexpected_positive', 'refused', 'missed', 'invalid')) AS last_bad,
           COALESCE(bool_or(r.reading = 'unexpected_positive' AND r.day >= ep.d - ep.flag_positive_days), false)
             AS flag_unexpected_positive,
           COALESCE(bool_or(r.reading IN ('refused', 'missed', 'invalid') AND r.day >= ep.d - ep.flag_missed_days),
                    false) AS flag_missed_screen,
           COALESCE(bool_or(r.reading NOT IN ('refused', 'missed', 'invalid')
                            AND r.day >= ep.d - ep.flag_screen_overdue_days), false) AS completed_recently
    FROM ep
    LEFT JOIN ranked r ON r.root = ep.id
    LEFT JOIN first_break b ON b.root = ep.id
    GROUP BY ep.id
),

-- Goals: the latest worksheet (week on or before D, begun in the last worksheet_max_age_days).
sheet AS (
    SELECT DISTINCT ON (w.episode_id) w.episode_id, w.id, date_trunc('week', w.week)::date AS monday
    FROM goals_worksheet w
    JOIN ep ON ep.id = w.episode_id
    WHERE w.week <= ep.d AND w.week >= ep.d - ep.worksheet_max_age_days
    ORDER BY w.episode_id, w.week DESC
),
goal AS (  -- every goal of the episode: set on (local date), closed on = first left "active" (history)
    SELECT g.id, g.episode_id, g.status,
           (g.created_at AT TIME ZONE ep.tz)::date AS set_on,
           CASE WHEN g.status <> 'active' THEN
             (SELECT (min(h.history_date) AT TIME ZONE ep.tz)::date
              FROM goals_historicalgoal h WHERE h.id = g.id AND h.status <> 'active')
           END AS closed_on
    FROM goals_goal g
    JOIN ep ON ep.id = g.episode_id
),
on_track AS (  -- every goal active in the worksheet's week (or rated on it); unrated = not on track
    SELECT sh.episode_id,
           count(*) AS counted,
           count(*) FILTER (WHERE gr.rating >= ep.on_track_rating) AS on_track
    FROM sheet sh
    JOIN ep ON ep.id = sh.episode_id
    JOIN goal g ON g.episode_id = sh.episode_id
    LEFT JOIN goals_goalrating gr ON gr.worksheet_id = sh.id AND gr.goal_id = g.id
    WHERE (g.status = 'active' OR g.closed_on IS NULL OR g.closed_on >= sh.monday)
      AND (gr.id IS NOT NULL OR g.set_on <= sh.monday + 6)
    GROUP BY sh.episode_id
),
achieved AS (
    SELECT episode_id,
           count(*) FILTER (WHERE status IN ('active', 'achieved')) > 0
             AND count(*) FILTER (WHERE status = 'active') = 0 AS all_achieved
    FROM goal
    GROUP BY episode_id
),

-- Check-ins: week begun on or before D; the risk flag of each (signed or draft, carried too).
ci AS (
    SELECT ch.root, ch.depth, c.week, c.signed_at IS NOT NULL AS signed, c.recommendation,
           -- counts for readiness: signed; and co-signed when the root's criteria require it of an
           -- author who needs co-signature (cosign_supervisor set)
           c.signed_at IS NOT NULL
             AND NOT (ch.cosignature_required AND c.cosign_supervisor_id IS NOT NULL AND c.cosigned_at IS NULL)
             AS counts_for_readiness,
           (c.risk IN ('moderate', 'high') OR c.suicidal_ideation OR c.homicidal_ideation OR c.overdose_risk
            OR CASE WHEN jsonb_typeof(c.phq9_items) = 'array' AND jsonb_array_length(c.phq9_items) = 9
                     AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(c.phq9_items) AS item
                                     WHERE jsonb_typeof(item) <> 'number' OR item::text !~ '^-?[0-9]+$')
                    THEN (c.phq9_items ->> 8)::numeric > 0
                    ELSE false END) AS risk_flag
    FROM chain ch
    JOIN checkins_checkin c ON c.episode_id = ch.episode_id
    WHERE c.week <= (SELECT d FROM params)
),
latest_signed AS (  -- the markers' latest signed check-in (the author's signature is enough)
    SELECT DISTINCT ON (root) root, week, recommendation
    FROM ci WHERE depth = 0 AND signed
    ORDER BY root, week DESC
),
latest_counted AS (  -- the readiness criterion's: with the co-signature required, one awaiting it
                     -- (its author needs co-signature, not co-signed yet) does not count
    SELECT DISTINCT ON (root) root, week, recommendation
    FROM ci WHERE depth = 0 AND counts_for_readiness
    ORDER BY root, week DESC
),
latest_any AS (  -- the latest check-in of the stay: on a tie, the earlier episode's (evaluate's order)
    SELECT DISTINCT ON (root) root, risk_flag
    FROM ci
    ORDER BY root, week DESC, depth DESC
),
checkins AS (
    SELECT ep.id,
           max(c.week) FILTER (WHERE c.risk_flag) AS last_risk_week,
           COALESCE(bool_or(c.depth = 0 AND c.signed AND c.week = ep.monday_d), false) AS signed_this_week,
           COALESCE(bool_or(c.depth = 0 AND c.signed AND c.week >= ep.d - ep.checkin_max_age_days), false)
             AS signed_recently
    FROM ep
    LEFT JOIN ci c ON c.root = ep.id
    GROUP BY ep.id
),

-- Everything measured, per episode.
measured AS (
    SELECT ep.*,
           COALESCE(cont.continued, false) AS continued,
           GREATEST((ep.d - ep.admitted_on) / 7, 0) AS weeks_in_program,
           rate.attended, rate.excused, rate.unexcused, rate.absences,
           CASE WHEN rate.attended + rate.unexcused = 0 THEN NULL
                ELSE rate.attended::float8 / (rate.attended + rate.unexcused) END AS attendance_rate,
           COALESCE(hours.hours_by_week, ARRAY[]::float8[]) AS hours_by_week,
           COALESCE(hours.weeks_met, 0) AS weeks_met,
           COALESCE(hours.hours_short, false) AS hours_short,
           screens.streak, CASE WHEN screens.streak > 0 THEN screens.span END AS span,
           screens.expected_positives, screens.last_screen_on,
           ep.d - screens.last_unexpected AS days_since_unexpected,
           ep.d - screens.last_bad AS days_since_bad,
           screens.flag_unexpected_positive, screens.flag_missed_screen, screens.completed_recently,
           sheet.monday AS worksheet_week,
           CASE WHEN on_track.counted > 0 THEN on_track.on_track::float8 / on_track.counted END AS goals_share,
           COALESCE(achieved.all_achieved, false) AS all_achieved,
           ls.week AS latest_checkin_on, ls.recommendation AS latest_recommendation,
           CASE WHEN lc.week >= ep.d - ep.checkin_max_age_days THEN lc.recommendation END AS recommendation,
           ep.d - checkins.last_risk_week AS days_since_risk,
           COALESCE(la.risk_flag, false) AS latest_risk,
           checkins.signed_this_week, checkins.signed_recently
    FROM ep
    LEFT JOIN continued cont ON cont.root = ep.id
    JOIN rate ON rate.id = ep.id
    LEFT JOIN hours ON hours.id = ep.id
    JOIN screens ON screens.id = ep.id
    LEFT JOIN sheet ON sheet.episode_id = ep.id
    LEFT JOIN on_track ON on_track.episode_id = ep.id
    LEFT JOIN achieved ON achieved.episode_id = ep.id
    LEFT JOIN latest_signed ls ON ls.root = ep.id
    LEFT JOIN latest_counted lc ON lc.root = ep.id
    LEFT JOIN latest_any la ON la.root = ep.id
    JOIN checkins ON checkins.id = ep.id
),
met AS (  -- each criterion met (sd_: step-down, gr_: graduation), and each flag
    SELECT m.*,
           m.weeks_in_program >= m.step_down_min_weeks AS sd_weeks_in_program,
           m.weeks_in_program >= m.graduation_min_weeks AS gr_weeks_in_program,
           COALESCE(m.attendance_rate >= m.attendance_rate_min, false) AS attendance_met,
           m.weeks_met >= m.hours_weeks_required AS hours_met,
           m.streak >= m.step_down_streak AND COALESCE(m.span, 0) >= m.step_down_streak_days AS sd_negative_streak,
           m.streak >= m.graduation_streak AND COALESCE(m.span, 0) >= m.graduation_streak_days
             AS gr_negative_streak,
           m.days_since_bad IS NULL OR m.days_since_bad > m.no_positive_days AS no_positive_met,
           m.step_down_goals_on_track = 0 OR m.all_achieved  -- a share of 0 requires nothing
             OR COALESCE(m.goals_share >= m.step_down_goals_on_track, false) AS sd_goals_on_track,
           m.graduation_goals_on_track = 0 OR m.all_achieved
             OR COALESCE(m.goals_share >= m.graduation_goals_on_track, false) AS gr_goals_on_track,
           COALESCE(m.recommendation IN ('step_down', 'graduate'), false) AS sd_recommendation,
           COALESCE(m.recommendation = 'graduate', false) AS gr_recommendation,
           m.days_since_risk IS NULL OR m.days_since_risk > m.risk_free_days AS no_risk_met,
           m.continued AND m.d - m.admitted_on < 7 AS settling_in  -- days 0-6 of a continuous stay
    FROM measured m
)
SELECT met.*,
       CASE WHEN NOT step_down_applies THEN 'not_applicable'  -- nothing lower than this level
       ELSE CASE (NOT sd_weeks_in_program)::int + (NOT attendance_met)::int + (NOT hours_met)::int
            + (NOT sd_negative_streak)::int + (NOT no_positive_met)::int + (NOT sd_goals_on_track)::int
            + (NOT sd_recommendation)::int + (NOT no_risk_met)::int
         WHEN 0 THEN 'ready' WHEN 1 THEN 'approaching' ELSE 'not_ready' END END AS step_down_status,
       CASE (NOT gr_weeks_in_program)::int + (NOT attendance_met)::int + (NOT hours_met)::int
            + (NOT gr_negative_streak)::int + (NOT no_positive_met)::int + (NOT gr_goals_on_track)::int
            + (NOT gr_recommendation)::int + (NOT no_risk_met)::int
         WHEN 0 THEN 'ready' WHEN 1 THEN 'approaching' ELSE 'not_ready' END AS graduation_status,
       absences >= flag_absences_count AS flag_absences,
       NOT settling_in AND NOT completed_recently AS flag_screen_overdue,
       NOT settling_in AND ((weekday_d >= flag_checkin_weekday AND NOT signed_this_week) OR NOT signed_recently)
         AS flag_checkin_overdue,
       latest_risk AS flag_risk,
       NOT settling_in AND hours_short AS flag_hours_short
FROM met
ORDER BY id
"""
)


def level_defaults() -> dict[str, dict]:
    """{level of care: {threshold: value}}: what a site without a Criteria row for that level is
    judged by (programs.models.LEVEL_DEFAULTS over the field defaults), as ``Thresholds`` reads it."""
    from programs.models import LevelOfCare
    from programs.services import criteria_unsaved

    return {
        level: {
            name: getattr(Thresholds.from_criteria(criteria_unsaved(None, level)), name) for name in THRESHOLD_FIELDS
        }
        for level in LevelOfCare.values
    }


def _params(as_of, episode_ids=None):
    return {
        "as_of": as_of,
        "tz": settings.TIME_ZONE,
        "episode_ids": None if episode_ids is None else [int(pk) for pk in episode_ids],
        "level_defaults": json.dumps(level_defaults()),
    }


@contextmanager
def _transaction(connection):
    """A transaction on a Django connection (``django.db.connection``) or a psycopg one."""
    if hasattr(connection, "alias"):  # Django's connection wrapper
        from django.db import transaction

        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            yield cursor
    else:
        with connection.transaction(), connection.cursor() as cursor:
            yield cursor


def _rows(cursor, as_of, episode_ids=None):
    cursor.execute("SET LOCAL jit = off")
    cursor.execute(REFERENCE_SQL, _params(as_of, episode_ids))
    names = [c.name if hasattr(c, "name") else c[0] for c in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _iso(day):
    return None if day is None else day.isoformat()


def _round(value):
    return None if value is None else round(value, 2)


def _criteria(row, prefix):
    """The criteria list of ``Readiness.as_dict()`` (prefix "sd" or "gr")."""
    step_down = prefix == "sd"
    return [
        {
            "name": "weeks_in_program",
            "measured": row["weeks_in_program"],
            "required": row["step_down_min_weeks" if step_down else "graduation_min_weeks"],
            "met": row[f"{prefix}_weeks_in_program"],
        },
        {
            "name": "attendance_rate",
            "measured": _round(row["attendance_rate"]),
            "required": row["attendance_rate_min"],
            "met": row["attendance_met"],
        },
        {
            "name": "weekly_hours",
            "measured": row["weeks_met"],
            "required": row["hours_weeks_required"],
            "met": row["hours_met"],
        },
        {
            "name": "negative_streak",
            "measured": row["streak"],
            "required": row["step_down_streak" if step_down else "graduation_streak"],
            "met": row[f"{prefix}_negative_streak"],
        },
        {
            "name": "no_recent_positive",
            "measured": row["days_since_bad"],
            "required": row["no_positive_days"],
            "met": row["no_positive_met"],
        },
        {
            "name": "goals_on_track",
            "measured": _round(row["goals_share"]),
            "required": row["step_down_goals_on_track" if step_down else "graduation_goals_on_track"],
            "met": row[f"{prefix}_goals_on_track"],
        },
        {
            "name": "recommendation",
            "measured": row["recommendation"],
            "required": ["step_down", "graduate"] if step_down else ["graduate"],
            "met": row[f"{prefix}_recommendation"],
        },
        {
            "name": "no_recent_risk",
            "measured": row["days_since_risk"],
            "required": row["risk_free_days"],
            "met": row["no_risk_met"],
        },
    ]


def as_evaluation_dict(row) -> dict:
    """One row of the query in the shape of ``Evaluation.as_dict()``, plus ``exact``: the
    unrounded shares and the counts shown beside the rate (the snapshot's columns and ``shown``)."""
    return {
        "markers": {
            "weeks_in_program": row["weeks_in_program"],
            "attendance_rate_4w": _round(row["attendance_rate"]),
            "hours_by_week": list(row["hours_by_week"]),
            "negative_streak": row["streak"],
            "negative_streak_days": row["span"],
            "last_screen_on": _iso(row["last_screen_on"]),
            "days_since_unexpected_positive": row["days_since_unexpected"],
            "goals_on_track": _round(row["goals_share"]),
            "latest_recommendation": row["latest_recommendation"],
            "latest_checkin_on": _iso(row["latest_checkin_on"]),
        },
        "step_down": {
            "status": row["step_down_status"],
            "criteria": _criteria(row, "sd") if row["step_down_applies"] else [],  # not applicable: none
        },
        "graduation": {"status": row["graduation_status"], "criteria": _criteria(row, "gr")},
        "flags": [code for code in FLAG_CODES if row[f"flag_{code}"]],
        "exact": {
            "attendance_rate_4w": row["attendance_rate"],
            "goals_on_track": row["goals_share"],
            "excused_absences_4w": row["excused"],
            "attended_4w": row["attended"],
            "expected_4w": row["attended"] + row["unexcused"],
            "required_weekly_hours": float(row["required_weekly_hours"]),
        },
    }


def reference_markers(connection, as_of: dt.date, episode_ids=None) -> dict[int, dict]:
    """{episode id: the reference's evaluation dict} for every active episode (or those of
    ``episode_ids``) as of ``as_of``: one query, ``jit = off``."""
    with _transaction(connection) as cursor:
        rows = _rows(cursor, as_of, episode_ids)
    return {row["id"]: as_evaluation_dict(row) for row in rows}


def time_reference(connection, as_of: dt.date, runs: int = 7, *, episode_ids=None, warmup: int = 1) -> dict:
    """Time the reference query (executed and every row fetched, ``jit = off``) ``runs`` times
    after ``warmup`` runs: {"median", "best", "runs" (seconds), "episodes"}."""
    times, count = [], 0
    for n in range(warmup + runs):
        with _transaction(connection) as cursor:
            started = time.perf_counter()
            count = len(_rows(cursor, as_of, episode_ids))
            elapsed = time.perf_counter() - started
        if n >= warmup:
            times.append(elapsed)
    return {"median": statistics.median(times), "best": min(times), "runs": times, "episodes": count}


def _exact_of(evaluation) -> dict:
    m = evaluation.markers
    return {
        "attendance_rate_4w": m.attendance_rate_4w,
        "goals_on_track": m.goals_on_track,
        "excused_absences_4w": m.excused_absences_4w,
        "attended_4w": m.attended_4w,
        "expected_4w": m.expected_4w,
        "required_weekly_hours": m.required_weekly_hours,
    }


def _walk(path, got, want, found):
    if isinstance(want, dict) and isinstance(got, dict):
        for key in sorted(set(got) | set(want)):
            _walk(f"{path}.{key}" if path else key, got.get(key), want.get(key), found)
    elif isinstance(want, list) and isinstance(got, list) and len(got) == len(want):
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            _walk(f"{path}[{i}]", g, w, found)
    elif got != want or type(got) is not type(want) and not (_number(got) and _number(want)):
        found.append((path, got, want))


def _number(value):
    return isinstance(value, int | float) and not isinstance(value, bool)


def reference_differences(connection, as_of: dt.date, episode_ids=None) -> list[tuple]:
    """(episode id, field path, reference value, ``evaluate`` value) for every difference
    between the reference query and ``dashboard.queries.episode_evaluations`` (the app's one path
    to ``evaluate``), over every active episode (or ``episode_ids``). [] = they agree."""
    from clients.models import Episode
    from dashboard.queries import episode_evaluations

    reference = reference_markers(connection, as_of, episode_ids)
    episodes = Episode.objects.active()
    if episode_ids is not None:
        episodes = episodes.filter(pk__in=list(episode_ids))
    evaluations = episode_evaluations(list(episodes.order_by("pk")), as_of)
    found = []
    for pk in sorted(set(reference) | set(evaluations)):
        got, evaluation = reference.get(pk), evaluations.get(pk)
        if got is None or evaluation is None:
            found.append((pk, "missing", got is not None, evaluation is not None))
            continue
        want = {**evaluation.as_dict(), "exact": _exact_of(evaluation)}
        diffs = []
        _walk("", got, want, diffs)
        found += [(pk, *d) for d in diffs]
    return found


def time_fact_gathering(as_of: dt.date, runs: int = 5, *, warmup: int = 1) -> dict:
    """Time ``dashboard.queries.episode_facts`` (the fact queries alone, no ``evaluate``) for
    every active episode: {"median", "best", "runs" (seconds), "episodes", "screens_read"}."""
    from clients.models import Episode
    from dashboard.queries import episode_facts, level_thresholds, thresholds_key

    fields_ = ("pk", "client_id", "site_id", "level_of_care", "admitted_on", "required_weekly_hours")
    episodes = list(Episode.objects.active().only(*fields_))
    thresholds = level_thresholds({thresholds_key(e) for e in episodes})
    times, facts = [], {}
    for n in range(warmup + runs):
        started = time.perf_counter()
        facts = episode_facts(episodes, as_of, thresholds)
        elapsed = time.perf_counter() - started
        if n >= warmup:
            times.append(elapsed)
    screens = sum(len(f.screens) + len(f.prior_screens) for f in facts.values())
    return {
        "median": statistics.median(times),
        "best": min(times),
        "runs": times,
        "episodes": len(episodes),
        "screens_read": screens,
    }


def main():
    """``DJANGO_SECRET_KEY=x DATABASE_URL=postgres://… python -m tests.bench.reference [YYYY-MM-DD]``
    on a filled database (e.g. after ``seed_demo --clients 1000 --weeks 26``): the reference
    query's time, the fact queries' time, and the differences with ``evaluate`` (0 expected)."""
    import os
    import sys

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iop.settings")
    django.setup()
    from django.db import connection
    from django.utils import timezone

    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    as_of = dt.date.fromisoformat(args[0]) if args else timezone.localdate()
    reference = time_reference(connection, as_of, 7)
    print(
        f"reference query ({reference['episodes']} active episodes, jit=off): "
        f"median {reference['median'] * 1000:.0f} ms, best {reference['best'] * 1000:.0f} ms"
    )
    gathered = time_fact_gathering(as_of, 7)
    print(
        f"fact queries (dashboard.queries.episode_facts): median {gathered['median'] * 1000:.0f} ms, "
        f"best {gathered['best'] * 1000:.0f} ms, {gathered['screens_read']:,} screens read"
    )
    found = reference_differences(connection, as_of)
    print(f"differences with evaluate: {len(found)}")
    for difference in found[:10]:
        print("  ", difference)
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
