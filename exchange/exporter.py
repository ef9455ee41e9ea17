"""Build an ``iop-records/1`` document from the database (the format of docs/import-format.md).

The output is deterministic: every list is sorted by its natural key and the JSON is
written with sorted keys, so export → import into an empty database → export gives the same
bytes. Rows marked entered-in-error are not exported. A fixed number of queries whatever
the number of clients (one per family of rows).
"""

import json
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q

from attendance.models import Attendance
from checkins.models import CHECKIN_FIELDS
from clients.models import Episode
from exchange.importer import ROLE_GROUPS, minute_key
from exchange.validation import FORMAT, VALIDITY_DECIMALS
from goals.models import GoalRating, Worksheet
from programs.models import Site, Track
from screening.models import Prescription, Screen, ScreenResult

ROLE_OF_GROUP = {group: role for role, group in ROLE_GROUPS.items()}
ROLE_ORDER = ("program_admin", "case_manager", "therapist")  # a user in several groups: the first
CONFIRMATION_CODES = {
    ScreenResult.Confirmation.CONFIRMED_POSITIVE: "positive",
    ScreenResult.Confirmation.CONFIRMED_NEGATIVE: "negative",
    ScreenResult.Confirmation.PENDING: "pending",
}


def _number(value):
    """A Decimal as the JSON number a person would write (9, 9.5, 1.003)."""
    if value is None:
        return None
    value = Decimal(value).normalize()
    return int(value) if value == value.to_integral_value() else float(value)


def _date(value):
    return value.isoformat() if value else None


def records_export(*, site_code=None):
    """The document for every site, or for the site ``site_code`` only."""
    sites = list(Site.objects.filter(code=site_code) if site_code else Site.objects.all())
    site_ids = [s.id for s in sites]
    tracks = Track.objects.filter(site_id__in=site_ids).select_related("site")
    episodes = list(
        Episode.objects.filter(site_id__in=site_ids)
        .select_related("client", "site", "track", "primary_therapist", "case_manager")
        .prefetch_related(
            Prefetch(
                "attendance",
                queryset=Attendance.objects.select_related("session__site", "session__track"),
            ),
            Prefetch(
                "screens",
                queryset=Screen.objects.filter(entered_in_error=False).prefetch_related(
                    Prefetch("results", queryset=ScreenResult.objects.select_related("analyte"))
                ),
            ),
            "goals",
            Prefetch(
                "worksheets",
                queryset=Worksheet.objects.prefetch_related(
                    Prefetch("ratings", queryset=GoalRating.objects.select_related("goal"))
                ),
            ),
            "checkins",
        )
    )
    prescriptions = Prescription.objects.filter(
        client_id__in={e.client_id for e in episodes}, entered_in_error=False
    ).select_related("analyte")
    by_client = {}
    for episode in episodes:
        episode.exported_prescriptions = []
        by_client.setdefault(episode.client_id, (episode.client, []))[1].append(episode)
    for rx in prescriptions:
        _owning_episode(by_client[rx.client_id][1], rx).exported_prescriptions.append(rx)
    people = {u.pk for e in episodes for u in (e.primary_therapist, e.case_manager) if u}
    staff = (
        get_user_model()
        .objects.filter(Q(sites__in=site_ids) | Q(pk__in=people))
        .distinct()
        .prefetch_related("groups", "sites")
    )
    return {
        "format": FORMAT,
        "sites": sorted(({"code": s.code, "name": s.name} for s in sites), key=lambda s: s["code"]),
        "tracks": sorted((_track(t) for t in tracks), key=lambda t: t["code"]),
        "staff": sorted((_staff(u, site_ids) for u in staff), key=lambda u: u["username"]),
        "clients": sorted(
            (_client(client, client_episodes) for client, client_episodes in by_client.values()),
            key=lambda c: c["mrn"],
        ),
    }


def _owning_episode(episodes, rx):
    """The file lists a client's prescriptions under one of their episodes: the latest one
    admitted on or before the prescription starts, else the first."""
    ordered = sorted(episodes, key=lambda e: (e.admitted_on, e.ref))
    before = [e for e in ordered if e.admitted_on <= rx.start]
    return before[-1] if before else ordered[0]


def _track(track):
    return {
        "code": track.code,
        "site": track.site.code,
        "name": track.name,
        "weekdays": list(track.weekdays),
        "start": track.start_time.strftime("%H:%M"),
        "end": track.end_time.strftime("%H:%M"),
    }


def _staff(user, site_ids):
    roles = {ROLE_OF_GROUP[g.name] for g in user.groups.all() if g.name in ROLE_OF_GROUP}
    return {
        "username": user.username,
        "name": f"{user.first_name} {user.last_name}".strip() or user.username,
        "role": next((r for r in ROLE_ORDER if r in roles), None),
        "sites": sorted(s.code for s in user.sites.all() if s.id in site_ids),
    }


def _client(client, episodes):
    return {
        "mrn": client.mrn,
        "first_name": client.first_name,
        "last_name": client.last_name,
        "date_of_birth": _date(client.date_of_birth),
        "episodes": [_episode(e) for e in sorted(episodes, key=lambda e: (e.admitted_on, e.ref))],
    }


def _episode(e):
    return {
        "ref": e.ref,
        "site": e.site.code,
        "track": e.track.code if e.track else None,
        "level_of_care": e.level_of_care,
        "admitted_on": _date(e.admitted_on),
        "therapist": e.primary_therapist.username if e.primary_therapist else None,
        "case_manager": e.case_manager.username if e.case_manager else None,
        "required_weekly_hours": _number(e.required_weekly_hours),
        "status": e.status,
        "ended_on": _date(e.ended_on),
        "end_reason": e.end_reason or None,
        "prescriptions": sorted(
            (
                {"medication": p.medication, "analyte": p.analyte.code, "start": _date(p.start), "end": _date(p.end)}
                for p in e.exported_prescriptions
            ),
            key=lambda p: (p["start"], p["analyte"], p["medication"]),
        ),
        "attendance": sorted((_attendance(a, e) for a in e.attendance.all()), key=_attendance_key),
        "screens": sorted((_screen(s) for s in e.screens.all()), key=lambda s: s["collected_at"]),
        "goals": sorted((_goal(g) for g in e.goals.all()), key=lambda g: g["ref"]),
        "worksheets": sorted((_worksheet(w) for w in e.worksheets.all()), key=lambda w: w["week"]),
        "checkins": sorted((_checkin(c) for c in e.checkins.all()), key=lambda c: c["week"]),
    }


def _attendance_key(row):
    return (row["date"], row["start"], row["kind"], row.get("track") or "")


def _attendance(a, episode):
    session = a.session
    row = {
        "date": _date(session.date),
        "start": session.start_time.strftime("%H:%M"),
        "kind": session.kind,
        "duration_minutes": session.duration_minutes,
        "status": a.status,
        "minutes_attended": a.minutes_attended,
    }
    if session.track_id != episode.track_id:
        row["track"] = session.track.code if session.track else None
    if a.note:
        row["note"] = a.note
    return row


def _screen(s):
    results = sorted(s.results.all(), key=lambda r: r.analyte.code)
    screen = {
        "collected_at": minute_key(s.collected_at),
        "observed": s.observed,
        "method": s.method,
        "outcome": s.outcome,
        "results": {r.analyte.code: r.result for r in results},
        "confirmation": {
            r.analyte.code: CONFIRMATION_CODES[r.confirmation] for r in results if r.confirmation in CONFIRMATION_CODES
        },
    }
    if s.reason:
        screen["reason"] = s.reason
    validity = {key: _number(getattr(s, key)) for key in VALIDITY_DECIMALS if getattr(s, key) is not None}
    if s.temperature_in_range is not None:
        validity["temperature_in_range"] = s.temperature_in_range
    if s.adulterant_noted:
        validity["adulterant_noted"] = True
    if validity:
        screen["validity"] = validity
    return screen


def _goal(g):
    goal = {
        "ref": g.ref,
        "area": g.area,
        "statement": g.statement,
        "target_date": _date(g.target_date),
        "status": g.status,
    }
    if g.objective:
        goal["objective"] = g.objective
    return goal


def _worksheet(w):
    sheet = {"week": _date(w.week), "ratings": {r.goal.ref: r.rating for r in w.ratings.all()}}
    if w.reflection:
        sheet["reflection"] = w.reflection
    return sheet


def _checkin(c):
    checkin = {"week": _date(c.week), "signed": c.signed_at is not None}
    checkin.update({name: getattr(c, name) for name in CHECKIN_FIELDS})
    for name in ("risk", "recommendation"):  # a draft may not have chosen them yet
        checkin[name] = checkin[name] or None
    return checkin


def dumps(document):
    """The bytes written to the file: sorted keys, two-space indent, UTF-8, final newline."""
    return (json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode()
