"""Parse and validate an ``iop-records/1`` or ``/2`` document (docs/import-format.md) without writing.

Pure: no ORM. What the database already holds (sites, tracks, staff, analytes, episodes,
goals, sessions) comes in as a :class:`Known`, so a file that extends an earlier import can
refer to records it does not repeat. :func:`validate` walks the whole document and collects
**every** problem as ``"<json path>: <message>"`` (``clients[3].episodes[0].screens[12]
.results.XYZ: unknown analyte``); only a document without problems is returned normalised
(dates, times and decimals parsed) for :mod:`exchange.importer`.
"""

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from attendance import rules as attendance_rules
from checkins import scoring
from goals import rules as goal_rules
from iop.dates import is_week_start
from iop.validators import NOTE_MAX_LENGTH, date_of_birth_problem, prescription_end_problem, session_date_problem
from programs.schedule import MONTHLY, WEEKLY, WEEKS_OF_MONTH

FORMAT = "iop-records/2"  # what export_records writes
FORMATS = ("iop-records/1", FORMAT)  # what import_records reads: /2 adds every other clinical fact

ROLES = ("therapist", "case_manager", "program_admin")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
EPISODE_STATUSES = ("active", "stepped_down", "graduated", "discharged")
END_REASONS = ("graduated", "stepped_down", "stepped_up", "left_against_advice", "administrative", "other")
LEVELS_OF_CARE = ("IOP", "PHP", "OP")
ATTENDANCE_KINDS = ("group", "individual", "family", "skills", "medication", "case_management")
ATTENDANCE_STATUSES = ("present", "late", "left_early", "excused", "absent", "cancelled")
CORRECTION_STATUSES = ATTENDANCE_STATUSES[:-1]  # a correction is never "cancelled" (as on the form)
SCREEN_METHODS = ("poc", "lab")
SCREEN_OUTCOMES = ("completed", "refused", "missed", "invalid")
RESULTS = ("negative", "positive", "inconclusive")
CONFIRMATIONS = ("positive", "negative", "pending")
GOAL_AREAS = (
    "substance_use",
    "mental_health",
    "physical_health",
    "family",
    "employment_education",
    "legal",
    "housing",
    "recovery_support",
)
GOAL_STATUSES = ("active", "achieved", "revised", "discontinued")
RISKS = ("none", "low", "moderate", "high")
RECOMMENDATIONS = ("continue", "step_down", "step_up", "graduate", "discharge")
BARRIERS = ("transportation", "childcare", "finances", "work_schedule", "housing", "legal", "other")
VALIDITY_DECIMALS = ("creatinine_mg_dl", "specific_gravity", "ph", "nitrite_ug_ml")
SESSION_STATUSES = ("scheduled", "held", "cancelled")
MODALITIES = attendance_rules.MODALITIES  # telehealth: in_person | video | phone
DECISION_KINDS = ("continue", "step_down", "step_up", "graduate", "discharge")
REFERRAL_SOURCES = ("self", "inpatient", "court", "employer", "provider", "other")
SUBSTANCES = ("alcohol", "opioids", "fentanyl", "stimulants", "cocaine", "cannabis", "benzodiazepines", "other")
# /2: the client's contact and intake fields (text unless listed in CLIENT_CHOICES).
CLIENT_TEXT = {
    "preferred_name": 60,
    "pronouns": 30,
    "phone": 30,
    "emergency_contact_name": 120,
    "emergency_contact_phone": 30,
    "other_substances": 200,
}
CLIENT_CHOICES = {"referral_source": REFERRAL_SOURCES, "primary_substance": SUBSTANCES}
PRESCRIPTION_V2 = ("prescriber", "entered_in_error")
SCREEN_V2 = ("collected_by", "panel", "notes", "entered_in_error", "details")
RESULT_DETAILS = ("level_ng_ml", "sent_on", "confirmed_on")
COSIGN_V2 = ("cosign_supervisor", "cosigned_by", "cosigned_at")
CHECKIN_V2 = ("author", "signed_at", "signed_by", "signature_sha256", "addenda", *COSIGN_V2)


@dataclass
class Known:
    """What the database holds already (loaded by the importer in a few queries)."""

    today: dt.date
    sites: set = field(default_factory=set)  # site codes
    tracks: dict = field(default_factory=dict)  # track code -> site code
    staff: set = field(default_factory=set)  # usernames
    analytes: set = field(default_factory=set)  # analyte codes
    episodes: dict = field(default_factory=dict)  # episode ref -> (mrn, status)
    active_episodes: dict = field(default_factory=dict)  # mrn -> ref of its active episode
    goals: dict = field(default_factory=dict)  # episode ref -> set of goal refs
    # (site, track|None, date, time, kind) -> [(duration, cancelled), ...]: several sessions
    # may share a slot without a track (the database cannot make NULLs unique).
    sessions: dict = field(default_factory=dict)
    # (site code, level of care) -> the site's default weekly hours for that level (Criteria);
    # level -> the level's default (a site without its row, or created by the file).
    weekly_hours: dict = field(default_factory=dict)
    level_hours: dict = field(default_factory=dict)


class Problems(list):
    def add(self, path, message):
        self.append(f"{path}: {message}")


_MISSING = object()
_INVALID = object()  # a value already reported as a problem


class _Walker:
    """Checks one document; every ``_field`` call reports its own problems and returns the
    parsed value, or ``_INVALID``/``None``."""

    def __init__(self, known: Known):
        self.known = known
        self.problems = Problems()
        self.v2 = False
        self.decision_targets = []  # (path, episode ref) of each decision's resulting episode

    # -- primitive checks ---------------------------------------------------------------
    def _object(self, value, path, required, optional=()):
        if not isinstance(value, dict):
            self.problems.add(path, f"expected an object, got {_kind(value)}")
            return False
        for key in required:
            if key not in value:
                self.problems.add(path, f"missing required key {key!r}")
        for key in value:
            if key not in required and key not in optional:
                self.problems.add(_join(path, key), "unknown key")
        return True

    def _list(self, obj, key, path):
        value = obj.get(key, [])
        if not isinstance(value, list):
            self.problems.add(_join(path, key), f"expected a list, got {_kind(value)}")
            return []
        return value

    def _field(
        self, obj, key, path, kind, *, null=False, choices=None, low=None, high=None, default=_MISSING, max_length=None
    ):
        """Parse ``obj[key]`` as ``kind`` (str, int, number, bool, date, time, datetime)."""
        where = _join(path, key)
        value = obj.get(key, _MISSING)
        if value is _MISSING:
            return None if default is _MISSING else default  # missing required keys are reported by _object
        if value is None:
            if null:
                return None
            self.problems.add(where, "must not be null")
            return _INVALID
        parsed = _PARSERS[kind](value)
        if parsed is _INVALID:
            self.problems.add(where, f"expected {_EXPECTED[kind]}, got {_show(value)}")
            return _INVALID
        if choices is not None and parsed not in choices:
            self.problems.add(where, f"{_show(value)} is not one of: {', '.join(choices)}")
            return _INVALID
        if max_length is not None and len(parsed) > max_length:
            self.problems.add(where, f"longer than {max_length} characters")
            return _INVALID
        if low is not None and parsed < low or high is not None and parsed > high:
            self.problems.add(where, f"{_show(value)} is outside {low}–{high}")
            return _INVALID
        return parsed

    def _not_future(self, value, where):
        if isinstance(value, dt.date) and value > self.known.today:
            self.problems.add(where, f"{value.isoformat()} is in the future")
            return False
        return True

    # -- the document -------------------------------------------------------------------
    def _v2(self, *keys):
        """Keys only an ``iop-records/2`` document may carry (in a /1 file they are unknown)."""
        return keys if self.v2 else ()

    def document(self, doc):
        self.v2 = isinstance(doc, dict) and doc.get("format") == FORMAT
        if not self._object(doc, "$", ("format",), ("sites", "tracks", "staff", "clients", *self._v2("sessions"))):
            return None
        if doc.get("format", FORMAT) not in FORMATS:
            expected = " or ".join(repr(f) for f in FORMATS)
            self.problems.add("format", f"expected {expected}, got {_show(doc.get('format'))}")
            return None
        out = {"format": doc.get("format", FORMAT)}
        out["sites"] = self._sites(self._list(doc, "sites", "$"))
        self.site_codes = self.known.sites | {s["code"] for s in out["sites"] if isinstance(s.get("code"), str)}
        out["tracks"] = self._tracks(self._list(doc, "tracks", "$"))
        out["staff"] = self._staff(self._list(doc, "staff", "$"))
        out["sessions"] = self._sessions(self._list(doc, "sessions", "$"))
        out["clients"] = self._clients(self._list(doc, "clients", "$"))
        for where, ref in self.decision_targets:
            if isinstance(ref, str) and ref not in self.episode_refs and ref not in self.known.episodes:
                self.problems.add(where, f"unknown episode {ref!r}")
        return out

    def _unique(self, seen, value, where, what):
        if value in seen:
            self.problems.add(where, f"duplicate {what} {value!r} (also at {seen[value]})")
        else:
            seen[value] = where

    def _sites(self, items):
        out, seen = [], {}
        for i, item in enumerate(items):
            path = f"sites[{i}]"
            if not self._object(item, path, ("code", "name")):
                continue
            code = self._field(item, "code", path, "str", max_length=12)
            name = self._field(item, "name", path, "str", max_length=100)
            if isinstance(code, str):
                self._unique(seen, code, f"{path}.code", "site code")
            out.append({"code": code, "name": name})
        return out

    def _tracks(self, items):
        out, seen = [], {}
        self.track_sites = dict(self.known.tracks)
        for i, item in enumerate(items):
            path = f"tracks[{i}]"
            optional = self._v2("cadence", "month_week", "continuing_care")
            if not self._object(item, path, ("code", "site", "name", "weekdays", "start", "end"), optional):
                continue
            code = self._field(item, "code", path, "str", max_length=20)
            site = self._site_ref(item, "site", path)
            weekdays = self._field(item, "weekdays", path, "list")
            if isinstance(weekdays, list):
                for j, day in enumerate(weekdays):
                    if day not in WEEKDAYS:
                        self.problems.add(f"{path}.weekdays[{j}]", f"{_show(day)} is not one of: {', '.join(WEEKDAYS)}")
            start = self._field(item, "start", path, "time")
            end = self._field(item, "end", path, "time")
            if isinstance(start, dt.time) and isinstance(end, dt.time) and end <= start:
                self.problems.add(f"{path}.end", "must be after start")
            if isinstance(code, str):
                self._unique(seen, code, f"{path}.code", "track code")
                known_site = self.known.tracks.get(code)
                if known_site is not None and isinstance(site, str) and known_site != site:
                    self.problems.add(f"{path}.site", f"track {code!r} already exists at site {known_site!r}")
                self.track_sites[code] = site
            name = self._field(item, "name", path, "str", max_length=100)
            row = {"code": code, "site": site, "name": name, "weekdays": weekdays, "start": start, "end": end}
            out.append({**row, **self._track_cadence(item, path)})
        return out

    def _track_cadence(self, item, path):
        """A track's cadence (/2): weekly by default; a monthly one names its week of the month
        (1–4, or -1 for the last: programs/schedule.py)."""
        cadence = self._field(item, "cadence", path, "str", choices=(WEEKLY, MONTHLY), default=WEEKLY)
        month_week = self._field(item, "month_week", path, "int", null=True, low=-1, high=4, default=None)
        if cadence == MONTHLY and month_week not in WEEKS_OF_MONTH and month_week is not _INVALID:
            self.problems.add(f"{path}.month_week", "a monthly track needs its week of the month: 1–4, or -1 (last)")
        elif cadence == WEEKLY and month_week is not None and month_week is not _INVALID:
            self.problems.add(f"{path}.month_week", "only a monthly track has a week of the month")
        continuing_care = self._field(item, "continuing_care", path, "bool", default=False)
        return {"cadence": cadence, "month_week": month_week, "continuing_care": continuing_care}

    def _staff(self, items):
        out, seen = [], {}
        for i, item in enumerate(items):
            path = f"staff[{i}]"
            if not self._object(item, path, ("username", "name", "role", "sites")):
                continue
            username = self._field(item, "username", path, "str", max_length=150)
            if isinstance(username, str):
                self._unique(seen, username, f"{path}.username", "username")
            name = self._field(item, "name", path, "str", max_length=150)
            role = self._field(item, "role", path, "str", null=True, choices=ROLES)
            sites = self._field(item, "sites", path, "list")
            if isinstance(sites, list):
                for j, code in enumerate(sites):
                    if code not in self.site_codes:
                        self.problems.add(f"{path}.sites[{j}]", f"unknown site {_show(code)}")
            out.append({"username": username, "name": name, "role": role, "sites": sites})
        self.usernames = self.known.staff | set(seen)
        return out

    def _site_ref(self, obj, key, path):
        code = self._field(obj, key, path, "str")
        if isinstance(code, str) and code not in self.site_codes:
            self.problems.add(f"{path}.{key}", f"unknown site {code!r}")
            return _INVALID
        return code

    def _staff_ref(self, obj, key, path):
        username = self._field(obj, key, path, "str", null=True)
        if isinstance(username, str) and username not in self.usernames:
            self.problems.add(f"{path}.{key}", f"unknown staff {username!r}")
            return _INVALID
        return username

    def _clients(self, items):
        out, mrns, refs = [], {}, {}
        self.session_rows = {}  # session key -> (path, duration, cancelled) of its first row
        for i, item in enumerate(items):
            path = f"clients[{i}]"
            required = ("mrn", "first_name", "last_name", "date_of_birth", "episodes")
            if not self._object(item, path, required, self._v2(*CLIENT_TEXT, *CLIENT_CHOICES, "court_involved")):
                continue
            mrn = self._field(item, "mrn", path, "str", max_length=20)
            if isinstance(mrn, str):
                self._unique(mrns, mrn, f"{path}.mrn", "MRN")
            client = {
                "mrn": mrn,
                "first_name": self._field(item, "first_name", path, "str", max_length=60),
                "last_name": self._field(item, "last_name", path, "str", max_length=60),
                "date_of_birth": self._field(item, "date_of_birth", path, "date"),
            }
            dob = client["date_of_birth"]
            if isinstance(dob, dt.date) and date_of_birth_problem(dob, self.known.today):  # the model's bound
                self.problems.add(f"{path}.date_of_birth", date_of_birth_problem(dob, self.known.today))
            client.update(self._client_details(item, path))
            client["episodes"] = []
            active, indexed = [], []
            for j, episode in enumerate(self._list(item, "episodes", path)):
                parsed = self._episode(episode, f"{path}.episodes[{j}]", mrn, refs)
                if parsed is not None:
                    client["episodes"].append(parsed)
                    indexed.append((j, parsed))
                    if parsed["status"] == "active":
                        active.append((f"{path}.episodes[{j}]", parsed["ref"]))
            self._no_overlap(indexed, path)
            if len(active) > 1:
                self.problems.add(active[1][0], f"a second active episode for client {mrn!r} (also {active[0][0]})")
            elif active and isinstance(mrn, str):
                other = self.known.active_episodes.get(mrn)
                if other is not None and other != active[0][1]:
                    self.problems.add(active[0][0], f"client {mrn!r} already has the active episode {other!r}")
            out.append(client)
        self.episode_refs = refs
        return out

    def _no_overlap(self, episodes, path):
        """A client's stays follow one another: each admission on or after the previous end."""
        dated = [(e["admitted_on"], k, e) for k, e in episodes if isinstance(e["admitted_on"], dt.date)]
        previous = None
        for admitted, k, episode in sorted(dated, key=lambda x: (x[0], x[1])):
            if previous is not None:
                end = previous[2]["ended_on"]
                if not isinstance(end, dt.date) or admitted < end:
                    self.problems.add(
                        f"{path}.episodes[{k}].admitted_on",
                        f"{admitted.isoformat()} is before episodes[{previous[1]}] ended",
                    )
            previous = (admitted, k, episode)

    def _episode(self, item, path, mrn, refs):
        required = ("ref", "site", "admitted_on", "status")
        optional = (
            "track",
            "level_of_care",
            "therapist",
            "case_manager",
            "required_weekly_hours",
            "ended_on",
            "end_reason",
            "prescriptions",
            "attendance",
            "screens",
            "goals",
            "worksheets",
            "checkins",
            *self._v2("level_changes", "decisions"),
        )
        if not self._object(item, path, required, optional):
            return None
        ref = self._field(item, "ref", path, "str", max_length=40)
        if isinstance(ref, str):
            self._unique(refs, ref, f"{path}.ref", "episode ref")
            known = self.known.episodes.get(ref)
            if known is not None and known[0] != mrn:
                self.problems.add(f"{path}.ref", f"episode {ref!r} already belongs to client {known[0]!r}")
        site = self._site_ref(item, "site", path)
        track = self._field(item, "track", path, "str", null=True)
        if isinstance(track, str):
            if track not in self.track_sites:
                self.problems.add(f"{path}.track", f"unknown track {track!r}")
            elif isinstance(site, str) and self.track_sites[track] != site:
                self.problems.add(f"{path}.track", f"track {track!r} is not at site {site!r}")
        admitted = self._field(item, "admitted_on", path, "date")
        self._not_future(admitted, f"{path}.admitted_on")
        status = self._field(item, "status", path, "str", choices=EPISODE_STATUSES)
        ended = self._field(item, "ended_on", path, "date", null=True)
        if isinstance(ended, dt.date):
            self._not_future(ended, f"{path}.ended_on")
            if isinstance(admitted, dt.date) and ended < admitted:
                self.problems.add(f"{path}.ended_on", f"{ended.isoformat()} is before admission")
        if status == "active" and isinstance(ended, dt.date):
            self.problems.add(f"{path}.ended_on", "an active episode has no end date")
        if status in EPISODE_STATUSES and status != "active" and ended is None:
            self.problems.add(f"{path}.ended_on", f"required when status is {status!r}")
        level = self._field(item, "level_of_care", path, "str", choices=LEVELS_OF_CARE, default="IOP")
        hours_default = self.known.weekly_hours.get((site, level), self.known.level_hours.get(level, Decimal(9)))
        episode = {
            "ref": ref,
            "site": site,
            "track": track,
            "level_of_care": level,
            "admitted_on": admitted,
            "therapist": self._staff_ref(item, "therapist", path),
            "case_manager": self._staff_ref(item, "case_manager", path),
            "required_weekly_hours": self._field(
                item, "required_weekly_hours", path, "number", low=0, high=99, default=hours_default
            ),
            "status": status,
            "ended_on": ended,
            "end_reason": self._field(item, "end_reason", path, "str", null=True, choices=END_REASONS),
        }
        admitted = admitted if isinstance(admitted, dt.date) else None
        episode["prescriptions"] = [
            self._prescription(x, f"{path}.prescriptions[{k}]")
            for k, x in enumerate(self._list(item, "prescriptions", path))
        ]
        episode["attendance"] = [
            self._attendance(x, f"{path}.attendance[{k}]", episode, admitted)
            for k, x in enumerate(self._list(item, "attendance", path))
        ]
        self._no_repeats(episode["attendance"], f"{path}.attendance", "_slot", "attendance at this session")
        episode["screens"] = [
            self._screen(x, f"{path}.screens[{k}]", admitted) for k, x in enumerate(self._list(item, "screens", path))
        ]
        self._no_repeats(episode["screens"], f"{path}.screens", "collected_at", "screen collected at this time")
        episode["goals"] = [self._goal(x, f"{path}.goals[{k}]") for k, x in enumerate(self._list(item, "goals", path))]
        self._no_repeats(episode["goals"], f"{path}.goals", "ref", "goal ref")
        goal_refs = {g["ref"] for g in episode["goals"] if g} | self.known.goals.get(ref, set())
        episode["worksheets"] = [
            self._worksheet(x, f"{path}.worksheets[{k}]", admitted, goal_refs)
            for k, x in enumerate(self._list(item, "worksheets", path))
        ]
        self._no_repeats(episode["worksheets"], f"{path}.worksheets", "week", "worksheet for week")
        episode["checkins"] = [
            self._checkin(x, f"{path}.checkins[{k}]", admitted, episode)
            for k, x in enumerate(self._list(item, "checkins", path))
        ]
        self._no_repeats(episode["checkins"], f"{path}.checkins", "week", "check-in for week")
        # None (the key left out): the importer records the admission as the only level change.
        episode["level_changes"] = (
            [
                self._level_change(x, f"{path}.level_changes[{k}]")
                for k, x in enumerate(self._list(item, "level_changes", path))
            ]
            if "level_changes" in item
            else None
        )
        episode["decisions"] = [
            self._decision(x, f"{path}.decisions[{k}]") for k, x in enumerate(self._list(item, "decisions", path))
        ]
        self._no_repeats(episode["decisions"], f"{path}.decisions", "_key", "decision of that kind on that day")
        return episode

    def _no_repeats(self, rows, path, key, what):
        seen = {}
        for k, row in enumerate(rows):
            if not row or row.get(key) in (None, _INVALID):
                continue
            if row[key] in seen:
                self.problems.add(f"{path}[{k}]", f"the same {what} as {path}[{seen[row[key]]}]")
            else:
                seen[row[key]] = k

    def _on_or_after_admission(self, day, admitted, where, *, week=False):
        if not isinstance(day, dt.date) or admitted is None:
            return
        first = admitted - dt.timedelta(days=admitted.weekday()) if week else admitted
        if day < first:
            self.problems.add(where, f"{day.isoformat()} is before admission ({admitted.isoformat()})")

    def _monday(self, day, where):
        if isinstance(day, dt.date) and not is_week_start(day):
            self.problems.add(where, f"{day.isoformat()} is not a Monday")

    def _prescription(self, item, path):
        if not self._object(item, path, ("medication", "analyte", "start"), ("end", *self._v2(*PRESCRIPTION_V2))):
            return None
        start = self._field(item, "start", path, "date")
        end = self._field(item, "end", path, "date", null=True)
        if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
            self.problems.add(f"{path}.end", "is before start")
        elif isinstance(start, dt.date) and isinstance(end, dt.date) and prescription_end_problem(start, end):
            self.problems.add(f"{path}.end", prescription_end_problem(start, end))
        return {
            "medication": self._field(item, "medication", path, "str", max_length=100),
            "analyte": self._analyte(item.get("analyte"), f"{path}.analyte"),
            "start": start,
            "end": end,
            "prescriber": self._field(item, "prescriber", path, "text", default="", max_length=120),
            "entered_in_error": self._field(item, "entered_in_error", path, "bool", default=False),
        }

    def _analyte(self, code, where):
        if not isinstance(code, str):
            self.problems.add(where, f"expected an analyte code, got {_show(code)}")
            return _INVALID
        if code not in self.known.analytes:
            self.problems.add(where, "unknown analyte")
            return _INVALID
        return code

    def _attendance(self, item, path, episode, admitted):
        required = ("date", "start", "kind", "duration_minutes", "status")
        optional = ("minutes_attended", "track", "note", *self._v2("recorded_by", "modality", "corrections"))
        if not self._object(item, path, required, optional):
            return None
        day = self._field(item, "date", path, "date")
        if self._not_future(day, f"{path}.date"):
            self._on_or_after_admission(day, admitted, f"{path}.date")
            if isinstance(day, dt.date) and session_date_problem(day, self.known.today):  # the model's bound
                self.problems.add(f"{path}.date", session_date_problem(day, self.known.today))
        start = self._field(item, "start", path, "time")
        kind = self._field(item, "kind", path, "str", choices=ATTENDANCE_KINDS)
        duration = self._field(item, "duration_minutes", path, "int", low=1, high=1440)
        status = self._field(item, "status", path, "str", choices=ATTENDANCE_STATUSES)
        minutes = self._field(item, "minutes_attended", path, "int", low=0, high=1440, default=None)
        if minutes is not _INVALID and isinstance(duration, int) and status in ATTENDANCE_STATUSES:
            # the attendance form's own rule (attendance/rules.py), then its default for the status
            problem = attendance_rules.minutes_problem(status, duration, minutes)
            if problem:
                self.problems.add(f"{path}.minutes_attended", problem)
                minutes = _INVALID
            else:
                minutes = attendance_rules.default_minutes(status, duration, minutes)
        track = episode["track"]
        if "track" in item:
            track = self._field(item, "track", path, "str", null=True)
            if isinstance(track, str) and track not in self.track_sites:
                self.problems.add(f"{path}.track", f"unknown track {track!r}")
                track = _INVALID
        row = {
            "date": day,
            "start": start,
            "kind": kind,
            "duration_minutes": duration,
            "status": status,
            "minutes_attended": minutes,
            "track": track,
            "note": self._field(item, "note", path, "text", default="", max_length=NOTE_MAX_LENGTH),
            "recorded_by": self._staff_ref(item, "recorded_by", path),
            # telehealth (/2): how this client took part; left out = as the session
            "modality": self._field(item, "modality", path, "str", choices=MODALITIES, default=""),
            "corrections": self._corrections(item, path, duration),
        }
        parts = (episode["site"], track, day, start, kind)
        if any(p is _INVALID for p in parts) or any(p is None for p in (parts[0], day, start, kind)):
            return row
        row["_slot"] = parts
        self._session_agrees(parts, path, duration, status == "cancelled")
        return row

    def _session_agrees(self, slot, path, duration, cancelled):
        """Rows of one shared session must agree with each other and with the database. A slot
        without a track may hold several sessions (they differ in length or cancellation)."""
        if not isinstance(duration, int) or slot[1] is None:
            return
        known = self.known.sessions.get(slot)
        first = self.session_rows.setdefault(slot, (path, duration, cancelled))
        if known:
            if (duration, cancelled) in known:
                return
            where, (other_duration, other_cancelled) = "the existing session", known[0]
        else:
            where, other_duration, other_cancelled = first
        if duration != other_duration:
            self.problems.add(f"{path}.duration_minutes", f"{duration} differs from {other_duration} at {where}")
        elif cancelled != other_cancelled:
            state = "cancelled" if other_cancelled else "held"
            self.problems.add(f"{path}.status", f"the session is {state} at {where}")

    def _screen(self, item, path, admitted):
        required = ("collected_at", "outcome", "results")
        optional = ("observed", "method", "confirmation", "reason", "validity", *self._v2(*SCREEN_V2))
        if not self._object(item, path, required, optional):
            return None
        collected = self._field(item, "collected_at", path, "datetime")
        if isinstance(collected, dt.datetime) and self._not_future(collected.date(), f"{path}.collected_at"):
            self._on_or_after_admission(collected.date(), admitted, f"{path}.collected_at")
        screen = {
            "collected_at": collected,
            "observed": self._field(item, "observed", path, "bool", default=False),
            "method": self._field(item, "method", path, "str", choices=SCREEN_METHODS, default="poc"),
            "outcome": self._field(item, "outcome", path, "str", choices=SCREEN_OUTCOMES),
            "reason": self._field(item, "reason", path, "text", default="", max_length=200),
            "results": {},
            "confirmation": {},
            "validity": self._validity(item.get("validity", {}), f"{path}.validity"),
            **self._screen_details(item, path),
        }
        results = self._field(item, "results", path, "dict")
        if isinstance(results, dict):
            for code, value in results.items():
                where = f"{path}.results.{code}"
                if self._analyte(code, where) is not _INVALID:
                    if value in RESULTS:
                        screen["results"][code] = value
                    else:
                        self.problems.add(where, f"{_show(value)} is not one of: {', '.join(RESULTS)}")
        confirmation = self._field(item, "confirmation", path, "dict", default={})
        if isinstance(confirmation, dict):
            for code, value in confirmation.items():
                where = f"{path}.confirmation.{code}"
                if self._analyte(code, where) is _INVALID:
                    continue
                if isinstance(results, dict) and code not in results:
                    self.problems.add(where, "no result for this analyte")
                elif value not in CONFIRMATIONS:
                    self.problems.add(where, f"{_show(value)} is not one of: {', '.join(CONFIRMATIONS)}")
                else:
                    screen["confirmation"][code] = value
        return screen

    def _validity(self, item, path):
        keys = ("temperature_in_range", "adulterant_noted", *VALIDITY_DECIMALS, *self._v2("temperature_c"))
        if not self._object(item, path, (), keys):
            return {}
        out = {
            "temperature_in_range": self._field(item, "temperature_in_range", path, "bool", null=True),
            "adulterant_noted": self._field(item, "adulterant_noted", path, "bool", default=False),
        }
        for key in VALIDITY_DECIMALS:
            out[key] = self._field(item, key, path, "number", null=True, low=0, high=99999)
        out["temperature_c"] = self._field(item, "temperature_c", path, "number", null=True, low=20, high=45)
        return out

    def _goal(self, item, path):
        optional = ("objective", "target_date", "status", *self._v2("revises", "set_by"))
        if not self._object(item, path, ("ref", "area", "statement"), optional):
            return None
        return {
            "ref": self._field(item, "ref", path, "str", max_length=20),
            "area": self._field(item, "area", path, "str", choices=GOAL_AREAS),
            "statement": self._field(item, "statement", path, "str", max_length=300),
            "objective": self._field(item, "objective", path, "text", default="", max_length=300),
            "target_date": self._field(item, "target_date", path, "date", null=True),
            "status": self._field(item, "status", path, "str", choices=GOAL_STATUSES, default="active"),
            "revises": self._field(item, "revises", path, "str", null=True),
            "set_by": self._staff_ref(item, "set_by", path),
        }

    def _week(self, item, path, admitted):
        week = self._field(item, "week", path, "date")
        if self._not_future(week, f"{path}.week"):
            self._monday(week, f"{path}.week")
            self._on_or_after_admission(week, admitted, f"{path}.week", week=True)
        return week

    def _worksheet(self, item, path, admitted, goal_refs):
        if not self._object(item, path, ("week", "ratings"), ("reflection", *self._v2("completed_by", "rating_notes"))):
            return None
        sheet = {
            "week": self._week(item, path, admitted),
            "reflection": self._field(item, "reflection", path, "text", default="", max_length=NOTE_MAX_LENGTH),
            "ratings": {},
            "completed_by": self._staff_ref(item, "completed_by", path),
            "rating_notes": self._rating_notes(item, path, goal_refs),
        }
        ratings = self._field(item, "ratings", path, "dict")
        if isinstance(ratings, dict):
            for ref, value in ratings.items():
                where = f"{path}.ratings.{ref}"
                if ref not in goal_refs:
                    self.problems.add(where, "unknown goal")
                elif goal_rules.rating_problem(value):  # the worksheet form's rule (goals/rules.py)
                    self.problems.add(where, f"{goal_rules.rating_problem(value)} Got {_show(value)}.")
                else:
                    sheet["ratings"][ref] = value
        return sheet

    def _checkin(self, item, path, admitted, episode):
        optional = (
            "cravings",
            "engagement",
            "mood",
            "risk",
            "suicidal_ideation",
            "homicidal_ideation",
            "overdose_risk",
            "no_current_risk",
            "safety_note",
            "mutual_help_meetings",
            "barriers",
            "note",
            "rationale",
            "recommendation",
            "phq9_items",
            "gad7_items",
            "signed",
            *self._v2(*CHECKIN_V2),
        )
        if not self._object(item, path, ("week",), optional):
            return None
        if episode["therapist"] is None:
            self.problems.add(path, "a check-in needs the episode's therapist (its author)")
        checkin = {
            "week": self._week(item, path, admitted),
            "cravings": self._field(item, "cravings", path, "int", null=True, low=0, high=10),
            "engagement": self._field(item, "engagement", path, "int", null=True, low=1, high=5),
            "mood": self._field(item, "mood", path, "int", null=True, low=1, high=5),
            "risk": self._field(item, "risk", path, "str", null=True, choices=RISKS, default=None),
            "suicidal_ideation": self._field(item, "suicidal_ideation", path, "bool", default=False),
            "homicidal_ideation": self._field(item, "homicidal_ideation", path, "bool", default=False),
            "overdose_risk": self._field(item, "overdose_risk", path, "bool", default=False),
            "no_current_risk": self._field(item, "no_current_risk", path, "bool", default=False),
            "safety_note": self._field(item, "safety_note", path, "text", default="", max_length=NOTE_MAX_LENGTH),
            "mutual_help_meetings": self._field(item, "mutual_help_meetings", path, "int", low=0, high=99, default=0),
            "barriers": self._field(item, "barriers", path, "list", default=[]),
            "note": self._field(item, "note", path, "text", default="", max_length=NOTE_MAX_LENGTH),
            "rationale": self._field(item, "rationale", path, "text", default="", max_length=NOTE_MAX_LENGTH),
            "recommendation": self._field(
                item, "recommendation", path, "str", null=True, choices=RECOMMENDATIONS, default=None
            ),
            "phq9_items": self._items(item, "phq9_items", path, 9),
            "gad7_items": self._items(item, "gad7_items", path, 7),
            "signed": self._field(item, "signed", path, "bool", default=False),
            **self._signature(item, path),
            "author": self._staff_ref(item, "author", path),
            "addenda": self._addenda(item, path),
        }
        for key in ("risk", "recommendation"):  # no default: a signed check-in records the therapist's choice
            if checkin[key] is None:
                checkin[key] = ""
                if checkin["signed"] is True:
                    self.problems.add(f"{path}.{key}", f"a signed check-in needs its {key}")
        if isinstance(checkin["barriers"], list):
            for k, value in enumerate(checkin["barriers"]):
                if value not in BARRIERS:
                    self.problems.add(f"{path}.barriers[{k}]", f"{_show(value)} is not one of: {', '.join(BARRIERS)}")
        return checkin

    # -- iop-records/2: every other clinical fact ----------------------------------------
    def _client_details(self, item, path):
        out = {key: self._field(item, key, path, "text", default="", max_length=n) for key, n in CLIENT_TEXT.items()}
        for key, choices in CLIENT_CHOICES.items():
            out[key] = self._field(item, key, path, "str", null=True, choices=choices) or ""
        out["court_involved"] = self._field(item, "court_involved", path, "bool", default=False)
        return out

    def _signature(self, item, path):
        """``signed_at`` / ``signed_by`` and the SHA-256 of what was signed, as written at signing
        (the importer checks that the imported content gives the same digest)."""
        digest = self._field(item, "signature_sha256", path, "str", null=True)
        if isinstance(digest, str) and (len(digest) != 64 or any(ch not in "0123456789abcdef" for ch in digest)):
            self.problems.add(f"{path}.signature_sha256", "expected 64 lowercase hex digits")
        signature = {
            "signed_at": self._field(item, "signed_at", path, "timestamp", null=True),
            "signed_by": self._staff_ref(item, "signed_by", path),
            "signature_sha256": digest,
            "_path": path,
            "cosign_supervisor": self._staff_ref(item, "cosign_supervisor", path),
            "cosigned_by": self._staff_ref(item, "cosigned_by", path),
            "cosigned_at": self._field(item, "cosigned_at", path, "timestamp", null=True),
        }
        if (signature["cosigned_by"] is None) != (signature["cosigned_at"] is None):
            self.problems.add(f"{path}.cosigned_at", "cosigned_by and cosigned_at go together")
        if signature["cosigned_by"] is not None and signature["cosigned_by"] != signature["cosign_supervisor"]:
            self.problems.add(f"{path}.cosigned_by", "only the cosign_supervisor can have co-signed")
        return signature

    def _addenda(self, item, path):
        out = []
        for k, x in enumerate(self._list(item, "addenda", path)):
            where = f"{path}.addenda[{k}]"
            if self._object(x, where, ("text", "author", "at")):
                out.append(
                    {
                        "text": self._field(x, "text", where, "str", max_length=NOTE_MAX_LENGTH),
                        "author": self._staff_ref(x, "author", where),
                        "at": self._field(x, "at", where, "timestamp"),
                    }
                )
        return out

    def _corrections(self, item, path, duration):
        """/2: an attendance row's corrections after signing (AttendanceCorrection), oldest
        first, each by the attendance form's own rules (attendance/rules.py)."""
        out = []
        for k, x in enumerate(self._list(item, "corrections", path)):
            where = f"{path}.corrections[{k}]"
            if not self._object(x, where, ("status", "minutes_attended", "reason", "by", "at")):
                continue
            status = self._field(x, "status", where, "str", choices=CORRECTION_STATUSES)
            minutes = self._field(x, "minutes_attended", where, "int", low=0, high=1440)
            if isinstance(minutes, int) and isinstance(duration, int) and status in CORRECTION_STATUSES:
                problem = attendance_rules.minutes_problem(status, duration, minutes)
                if problem:
                    self.problems.add(f"{where}.minutes_attended", problem)
            reason = self._field(x, "reason", where, "str", max_length=500)
            if isinstance(reason, str) and not reason.strip():
                self.problems.add(f"{where}.reason", "a correction needs its reason")
            by = self._staff_ref(x, "by", where)
            if by is None:
                self.problems.add(f"{where}.by", "a correction names who made it")
            at = self._field(x, "at", where, "timestamp")
            if out and isinstance(at, dt.datetime) and isinstance(out[-1]["at"], dt.datetime) and at < out[-1]["at"]:
                self.problems.add(f"{where}.at", "corrections are listed oldest first")
            out.append({"status": status, "minutes_attended": minutes, "reason": reason, "by": by, "at": at})
        return out

    def _sessions(self, items):
        """/2: what a session holds beyond its attendance rows (topic, facilitator, the group
        note written once, its signature and addenda). Matched to rows by site, track, date,
        start, kind and duration."""
        out = []
        for i, item in enumerate(items):
            path = f"sessions[{i}]"
            required = ("site", "date", "start", "kind", "duration_minutes", "status")
            optional = (
                "track",
                "topic",
                "facilitator",
                "group_note",
                "signed_at",
                "signed_by",
                "signature_sha256",
                "addenda",
                "modality",
                "co_facilitators",
                *COSIGN_V2,
            )
            if not self._object(item, path, required, optional):
                continue
            track = self._field(item, "track", path, "str", null=True)
            if isinstance(track, str) and track not in self.track_sites:
                self.problems.add(f"{path}.track", f"unknown track {track!r}")
            session = {
                "site": self._site_ref(item, "site", path),
                "track": track,
                "date": self._field(item, "date", path, "date"),
                "start": self._field(item, "start", path, "time"),
                "kind": self._field(item, "kind", path, "str", choices=ATTENDANCE_KINDS),
                "duration_minutes": self._field(item, "duration_minutes", path, "int", low=1, high=1440),
                "status": self._field(item, "status", path, "str", choices=SESSION_STATUSES),
                "topic": self._field(item, "topic", path, "text", default="", max_length=200),
                "facilitator": self._staff_ref(item, "facilitator", path),
                "group_note": self._field(item, "group_note", path, "text", default="", max_length=NOTE_MAX_LENGTH),
                "addenda": self._addenda(item, path),
                "modality": self._field(item, "modality", path, "str", choices=MODALITIES, default="in_person"),
                "co_facilitators": [
                    self._staff_ref({"co": u}, "co", f"{path}.co_facilitators[{k}]")
                    for k, u in enumerate(self._list(item, "co_facilitators", path))
                ],
                **self._signature(item, path),
            }
            self._not_future(session["date"], f"{path}.date")
            out.append(session)
        self._no_repeats(
            [{"_key": _session_key(s)} for s in out], "sessions", "_key", "session (site, track, date, start, kind)"
        )
        return out

    def _level_change(self, item, path):
        if not self._object(item, path, ("level_of_care", "effective_on"), ("reason", "changed_by")):
            return None
        return {
            "level_of_care": self._field(item, "level_of_care", path, "str", choices=LEVELS_OF_CARE),
            "effective_on": self._field(item, "effective_on", path, "date"),
            "reason": self._field(item, "reason", path, "text", default="", max_length=200),
            "changed_by": self._staff_ref(item, "changed_by", path),
        }

    def _decision(self, item, path):
        required = ("kind", "decided_on", "decided_by", "rationale", "evidence")
        if not self._object(item, path, required, ("is_override", "resulting_episode")):
            return None
        decision = {
            "kind": self._field(item, "kind", path, "str", choices=DECISION_KINDS),
            "decided_on": self._field(item, "decided_on", path, "date"),
            "decided_by": self._staff_ref(item, "decided_by", path),
            "rationale": self._field(item, "rationale", path, "str", max_length=NOTE_MAX_LENGTH),
            "evidence": self._field(item, "evidence", path, "dict"),
            "is_override": self._field(item, "is_override", path, "bool", default=False),
            "resulting_episode": self._field(item, "resulting_episode", path, "str", null=True),
        }
        self._not_future(decision["decided_on"], f"{path}.decided_on")
        decision["_key"] = (decision["kind"], decision["decided_on"])
        self.decision_targets.append((f"{path}.resulting_episode", decision["resulting_episode"]))
        return decision

    def _screen_details(self, item, path):
        details = {}
        raw = self._field(item, "details", path, "dict", default={})
        if isinstance(raw, dict):
            for code, value in raw.items():
                where = f"{path}.details.{code}"
                if self._analyte(code, where) is _INVALID or not self._object(value, where, (), RESULT_DETAILS):
                    continue
                details[code] = {
                    "level_ng_ml": self._field(value, "level_ng_ml", where, "number", null=True, low=0, high=9999999),
                    "sent_on": self._field(value, "sent_on", where, "date", null=True),
                    "confirmed_on": self._field(value, "confirmed_on", where, "date", null=True),
                }
        return {
            "collected_by": self._staff_ref(item, "collected_by", path),
            "panel": self._field(item, "panel", path, "str", null=True, max_length=80),
            "notes": self._field(item, "notes", path, "text", default="", max_length=NOTE_MAX_LENGTH),
            "entered_in_error": self._field(item, "entered_in_error", path, "bool", default=False),
            "details": details,
        }

    def _rating_notes(self, item, path, goal_refs):
        notes = self._field(item, "rating_notes", path, "dict", default={})
        out = {}
        if isinstance(notes, dict):
            for ref, text in notes.items():
                where = f"{path}.rating_notes.{ref}"
                if ref not in goal_refs:
                    self.problems.add(where, "unknown goal")
                elif not isinstance(text, str) or len(text) > 500:
                    self.problems.add(where, f"expected a note of at most 500 characters, got {_show(text)}")
                else:
                    out[ref] = text
        return out

    def _items(self, item, key, path, count):
        value = self._field(item, key, path, "list", null=True)
        label = "PHQ-9" if key == "phq9_items" else "GAD-7"
        problems = scoring.validate_items(value, count, label) if isinstance(value, list) else []  # the form's rule
        if problems:
            self.problems.add(f"{path}.{key}", f"{' '.join(problems)} Got {_show(value)}.")
            return _INVALID
        return value


def _join(path, key):
    """``clients[0]`` + ``mrn`` → ``clients[0].mrn``; at the root just the key."""
    return key if path == "$" else f"{path}.{key}"


def _parse_str(value):
    return value if isinstance(value, str) and value.strip() else _INVALID


def _parse_int(value):
    return value if isinstance(value, int) and not isinstance(value, bool) else _INVALID


def _parse_number(value):
    if isinstance(value, bool) or not isinstance(value, int | float):
        return _INVALID
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return _INVALID


def _parse_bool(value):
    return value if isinstance(value, bool) else _INVALID


def _parse_date(value):
    if not isinstance(value, str) or len(value) != 10:
        return _INVALID
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return _INVALID


def _parse_time(value):
    if not isinstance(value, str) or len(value) != 5:
        return _INVALID
    try:
        return dt.time.fromisoformat(value)
    except ValueError:
        return _INVALID


def _parse_timestamp(value):
    """A local (naive) moment to the second or finer, as signatures and addenda keep it."""
    if not isinstance(value, str) or len(value) < 19 or value[10] != "T":
        return _INVALID
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return _INVALID
    return moment if moment.tzinfo is None else _INVALID


def _session_key(session):
    """A session's natural key in the file: site, track, date, start, kind and length."""
    return tuple(session[k] for k in ("site", "track", "date", "start", "kind", "duration_minutes"))


def _parse_datetime(value):
    """A local (naive) date and time to the minute: ``2026-01-06T18:30``."""
    if not isinstance(value, str) or len(value) != 16 or value[10] != "T":
        return _INVALID
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        return _INVALID


_PARSERS = {
    "str": _parse_str,
    "text": lambda v: v if isinstance(v, str) else _INVALID,
    "int": _parse_int,
    "number": _parse_number,
    "bool": _parse_bool,
    "date": _parse_date,
    "time": _parse_time,
    "datetime": _parse_datetime,
    "timestamp": _parse_timestamp,
    "list": lambda v: v if isinstance(v, list) else _INVALID,
    "dict": lambda v: v if isinstance(v, dict) else _INVALID,
}
_EXPECTED = {
    "str": "a non-empty string",
    "text": "a string",
    "int": "a whole number",
    "number": "a number",
    "bool": "true or false",
    "date": "a date YYYY-MM-DD",
    "time": "a time HH:MM",
    "datetime": "a date and time YYYY-MM-DDTHH:MM",
    "timestamp": "a local date and time YYYY-MM-DDTHH:MM:SS",
    "list": "a list",
    "dict": "an object",
}


def _kind(value):
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}.get(type(value), _show(value))


def _show(value):
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:37] + "..."


def parse(text):
    """``text`` → (document, problems). A document that is not JSON is one problem at ``$``."""
    try:
        return json.loads(text), Problems()
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        problems = Problems()
        problems.add("$", f"not JSON ({error})")
        return None, problems


def validate(doc, known: Known):
    """Check the whole document against the format and ``known``.

    Returns ``(normalised, problems)``; ``normalised`` is ``None`` whenever ``problems``
    is not empty, so nothing half-checked can be written.
    """
    walker = _Walker(known)
    normalised = walker.document(doc)
    if walker.problems:
        return None, walker.problems
    return normalised, walker.problems
