"""Build an ``iop-records/2`` document from the database (the format of docs/import-format.md).

The output is deterministic: every list is sorted by its natural key and the JSON is
written with sorted keys, so export → import into an empty database → export gives the same
bytes. It carries every clinical fact the record holds — notes, signatures (who, when),
addenda, decisions with their evidence, level-of-care history, corrections (entered-in-error
rows are exported, flagged) and contact fields. Access events and history rows stay out (the
database backup carries them). A fixed number of queries whatever the number of clients (one
per family of rows).
"""

import json
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q
from django.utils import timezone

from attendance.models import Attendance, Session
from checkins.models import CHECKIN_FIELDS, CheckIn
from clients.models import Episode, LevelOfCareChange
from dashboard.models import Decision
from exchange.importer import ROLE_GROUPS, minute_key
from exchange.validation import CLIENT_CHOICES, CLIENT_TEXT, FORMAT, VALIDITY_DECIMALS
from goals.models import Goal, GoalRating, Worksheet
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


def _moment(value):
    """A signature's or addendum's time: local, to the microsecond the database keeps."""
    return timezone.localtime(value).replace(tzinfo=None).isoformat() if value else None


def _username(user):
    return user.username if user else None


def _cosignature(record):
    """A signed record's co-signature (iop.models.CoSignature): only when one is needed."""
    if record.cosign_supervisor_id is None:
        return {}
    return {
        "cosign_supervisor": _username(record.cosign_supervisor),
        "cosigned_by": _username(record.cosigned_by),
        "cosigned_at": _moment(record.cosigned_at),
    }


def _addenda(record):
    return [{"text": a.text, "author": a.author.username, "at": _moment(a.created_at)} for a in record.addenda.all()]


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
                queryset=Attendance.objects.select_related(
                    "session__site", "session__track", "recorded_by"
                ).prefetch_related("corrections__corrected_by"),
            ),
            Prefetch(
                "screens",
                queryset=Screen.objects.select_related("collected_by", "panel").prefetch_related(
                    Prefetch("results", queryset=ScreenResult.objects.select_related("analyte"))
                ),
            ),
            Prefetch("goals", queryset=Goal.objects.select_related("revises", "set_by")),
            Prefetch(
                "worksheets",
                queryset=Worksheet.objects.select_related("completed_by").prefetch_related(
                    Prefetch("ratings", queryset=GoalRating.objects.select_related("goal"))
                ),
            ),
            Prefetch(
                "checkins",
                queryset=CheckIn.objects.select_related(
                    "author", "signed_by", "cosign_supervisor", "cosigned_by"
                ).prefetch_related("addenda__author"),
            ),
            Prefetch("level_changes", queryset=LevelOfCareChange.objects.select_related("changed_by")),
            Prefetch("decisions", queryset=Decision.objects.select_related("decided_by", "resulting_episode")),
        )
    )
    prescriptions = Prescription.objects.filter(client_id__in={e.client_id for e in episodes}).select_related("analyte")
    sessions = (
        Session.objects.filter(site_id__in=site_ids)
        .select_related("site", "track", "facilitator", "note_signed_by", "cosign_supervisor", "cosigned_by")
        .prefetch_related("addenda__author", "co_facilitators")
    )
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
        "sessions": sorted(
            (_session(s) for s in sessions if _has_facts(s)),
            key=lambda s: _attendance_key(s) + (s["duration_minutes"],),
        ),
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
        "cadence": track.cadence,
        "month_week": track.month_week,
        "continuing_care": track.continuing_care,
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
    doc = {
        "mrn": client.mrn,
        "first_name": client.first_name,
        "last_name": client.last_name,
        "date_of_birth": _date(client.date_of_birth),
        "court_involved": client.court_involved,
        "episodes": [_episode(e) for e in sorted(episodes, key=lambda e: (e.admitted_on, e.ref))],
    }
    doc.update({key: getattr(client, key) for key in CLIENT_TEXT if getattr(client, key)})
    doc.update({key: getattr(client, key) for key in CLIENT_CHOICES if getattr(client, key)})
    return doc


def _has_facts(session):
    """Whether a session holds anything its attendance rows do not say (so the file lists it)."""
    return bool(
        session.topic
        or session.facilitator_id
        or session.group_note
        or session.note_signed_at
        or session.status == Session.Status.SCHEDULED
        or session.modality != Session.Modality.IN_PERSON
        or session.addenda.all()
        or session.co_facilitators.all()
    )


def _session(s):
    doc = {
        "site": s.site.code,
        "track": s.track.code if s.track else None,
        "date": _date(s.date),
        "start": s.start_time.strftime("%H:%M"),
        "kind": s.kind,
        "duration_minutes": s.duration_minutes,
        "status": s.status,
        "topic": s.topic,
        "facilitator": _username(s.facilitator),
        "group_note": s.group_note,
        "signed_at": _moment(s.note_signed_at),
        "signed_by": _username(s.note_signed_by),
        "signature_sha256": s.signature_sha256 or None,
        **_cosignature(s),
        "addenda": _addenda(s),
        **({"co_facilitators": co} if (co := sorted(u.username for u in s.co_facilitators.all())) else {}),
    }
    if s.modality != Session.Modality.IN_PERSON:  # telehealth: left out = in person
        doc["modality"] = s.modality
    return doc


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
                {
                    "medication": p.medication,
                    "analyte": p.analyte.code,
                    "start": _date(p.start),
                    "end": _date(p.end),
                    "prescriber": p.prescriber,
                    "entered_in_error": p.entered_in_error,
                }
                for p in e.exported_prescriptions
            ),
            key=lambda p: (p["start"], p["analyte"], p["medication"]),
        ),
        "attendance": sorted((_attendance(a, e) for a in e.attendance.all()), key=_attendance_key),
        "screens": sorted((_screen(s) for s in e.screens.all()), key=lambda s: s["collected_at"]),
        "goals": sorted((_goal(g) for g in e.goals.all()), key=lambda g: g["ref"]),
        "worksheets": sorted((_worksheet(w) for w in e.worksheets.all()), key=lambda w: w["week"]),
        "checkins": sorted((_checkin(c) for c in e.checkins.all()), key=lambda c: c["week"]),
        "level_changes": sorted(
            (
                {
                    "level_of_care": c.level_of_care,
                    "effective_on": _date(c.effective_on),
                    "reason": c.reason,
                    "changed_by": _username(c.changed_by),
                }
                for c in e.level_changes.all()
            ),
            key=lambda c: (c["effective_on"], c["level_of_care"]),
        ),
        "decisions": sorted((_decision(d) for d in e.decisions.all()), key=lambda d: (d["decided_on"], d["kind"])),
    }


def _decision(d):
    return {
        "kind": d.kind,
        "decided_on": _date(d.decided_on),
        "decided_by": d.decided_by.username,
        "rationale": d.rationale,
        "evidence": d.evidence,
        "is_override": d.is_override,
        "resulting_episode": d.resulting_episode.ref if d.resulting_episode else None,
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
    if a.recorded_by:
        row["recorded_by"] = a.recorded_by.username
    if a.modality:  # telehealth: only where the client took part differently from the session
        row["modality"] = a.modality
    corrections = a.corrections.all()
    if corrections:  # after signing: the row stays as signed, each correction follows it
        row["corrections"] = [
            {
                "status": c.status,
                "minutes_attended": c.minutes_attended,
                "reason": c.reason,
                "by": c.corrected_by.username,
                "at": _moment(c.corrected_at),
            }
            for c in sorted(corrections, key=lambda c: (c.corrected_at, c.pk))
        ]
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
    screen.update(
        collected_by=_username(s.collected_by),
        panel=s.panel.name if s.panel else None,
        notes=s.notes,
        entered_in_error=s.entered_in_error,
    )
    details = {r.analyte.code: _result_details(r) for r in results}
    screen["details"] = {code: d for code, d in details.items() if any(v is not None for v in d.values())}
    validity = {
        key: _number(getattr(s, key)) for key in (*VALIDITY_DECIMALS, "temperature_c") if getattr(s, key) is not None
    }
    if s.temperature_in_range is not None:
        validity["temperature_in_range"] = s.temperature_in_range
    if s.adulterant_noted:
        validity["adulterant_noted"] = True
    if validity:
        screen["validity"] = validity
    return screen


def _result_details(r):
    return {
        "level_ng_ml": _number(r.level_ng_ml),
        "sent_on": _date(r.confirmation_sent_on),
        "confirmed_on": _date(r.confirmed_on),
    }


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
    goal["revises"] = g.revises.ref if g.revises else None
    goal["set_by"] = _username(g.set_by)
    return goal


def _worksheet(w):
    ratings = w.ratings.all()
    sheet = {
        "week": _date(w.week),
        "ratings": {r.goal.ref: r.rating for r in ratings},
        "rating_notes": {r.goal.ref: r.reflection for r in ratings if r.reflection},
        "completed_by": _username(w.completed_by),
    }
    if w.reflection:
        sheet["reflection"] = w.reflection
    return sheet


def _checkin(c):
    checkin = {
        "week": _date(c.week),
        "signed": c.signed_at is not None,
        "signed_at": _moment(c.signed_at),
        "signed_by": _username(c.signed_by),
        "signature_sha256": c.signature_sha256 or None,
        **_cosignature(c),
        "author": c.author.username,
        "addenda": _addenda(c),
    }
    checkin.update({name: getattr(c, name) for name in CHECKIN_FIELDS})
    for name in ("risk", "recommendation"):  # a draft may not have chosen them yet
        checkin[name] = checkin[name] or None
    return checkin


def dumps(document):
    """The bytes written to the file: sorted keys, two-space indent, UTF-8, final newline."""
    return (json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode()
