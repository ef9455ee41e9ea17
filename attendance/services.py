"""Attendance writes: sessions, the roster, signing and addenda.

Every function validates first and writes nothing when it raises ``ValidationError``.
"""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from attendance import rules
from attendance.models import Attendance, AttendanceCorrection, Session, SessionAddendum
from audit.services import signatures_record
from clients.services import episodes_inputs_changed
from iop import integrity
from iop.cosign import record_cosign
from iop.errors import StaleEdit
from programs.models import cosign_supervisor_for

ROSTER_CHANGED = (
    "The roster changed since you opened it (someone else saved it). "
    "This is the current roster: nothing of yours was saved, please make your changes again."
)
SIGNED_LOCKED = "This session's note is signed: the roster can no longer be edited. Add an addendum instead."


@dataclass(frozen=True)
class RosterEntry:
    episode: object  # clients.models.Episode (with .client loaded)
    status: str
    minutes: int | None = None  # None = the default for the status
    note: str = ""
    modality: str = ""  # telehealth: "" = as the session, else how this client took part


def session_problems(session, today):
    """Rule checks shared by every way a session is written (messages by field)."""
    errors = {}
    if session.track_id and session.site_id and session.track.site_id != session.site_id:
        errors["track"] = "This track belongs to another site: choose a track of the session's site."
    if session.date and session.date > today and session.status != Session.Status.SCHEDULED:
        errors["status"] = "A session dated in the future can only be scheduled (not held or cancelled)."
    return errors


def _session_clean(session):
    errors = session_problems(session, timezone.localdate())
    if errors:
        raise ValidationError(errors)
    session.full_clean()


@transaction.atomic
def session_create(*, by, **fields):
    """Create one session (group, workshop, individual…) after the site/track/date rules."""
    session = Session(**fields)
    if session.facilitator_id is None and by is not None:
        session.facilitator = by
    _session_clean(session)
    session.save()
    return session


def _track_dates(track, date_from, date_to):
    day = date_from
    while day <= date_to:
        if track.meets_on(day):
            yield day
        day += dt.timedelta(days=1)


@transaction.atomic
def sessions_generate(*, track, date_from, date_to, by=None):
    """Create the scheduled group sessions of ``track`` on the days it meets (weekly or monthly:
    ``Track.meets_on``) from ``date_from`` to ``date_to`` (inclusive), skipping the ones that
    exist. Returns the sessions created.

    Three queries however long the range: existing dates, the insert, its history.
    """
    if date_to < date_from:
        raise ValidationError("The end of the range is before its start.")
    existing = set(
        Session.objects.filter(
            track=track,
            site_id=track.site_id,
            kind=Session.Kind.GROUP,
            start_time=track.start_time,
            date__range=(date_from, date_to),
        ).values_list("date", flat=True)
    )
    new = [
        Session(
            site_id=track.site_id,
            track=track,
            date=day,
            start_time=track.start_time,
            duration_minutes=track.duration_minutes,
            kind=Session.Kind.GROUP,
            status=Session.Status.SCHEDULED,
            topic=track.name,
        )
        for day in _track_dates(track, date_from, date_to)
        if day not in existing
    ]
    if not new:
        return []
    return bulk_create_with_history(new, Session, default_user=by)


def _entry_problems(session, entry):
    episode = entry.episode
    name = episode.client.full_name
    if episode.site_id != session.site_id:
        return f"{name} is not a client of this session's site."
    if not episode.covers(session.date):
        return f"{name} had no active episode on {session.date:%m/%d/%Y}."
    if entry.status not in Attendance.Status.values or entry.status == Attendance.Status.CANCELLED:
        return f"{name}: choose a status."
    if entry.modality and entry.modality not in Session.Modality.values:
        return f"{name}: choose how the client took part (in person, video or phone)."
    problem = rules.minutes_problem(entry.status, session.duration_minutes, entry.minutes)
    return f"{name}: {problem}" if problem else None


def _roster_writable(session, today):
    if session.is_signed:
        raise ValidationError(SIGNED_LOCKED)
    if session.status == Session.Status.CANCELLED:
        raise ValidationError("This session was cancelled: it counts for no one, so it has no roster.")
    if session.date > today:
        raise ValidationError("The roster of a future session cannot be taken yet.")


def _unchanged(existing, entries, duration):
    """Whether saving ``entries`` would change nothing (a resubmitted form)."""
    for entry in entries:
        row = existing.get(entry.episode.pk)
        minutes = rules.default_minutes(entry.status, duration, entry.minutes)
        if row is None or (row.status, row.minutes_attended, row.note, row.modality) != (
            entry.status,
            minutes,
            entry.note,
            entry.modality,
        ):
            return False
    return True


@transaction.atomic
def roster_save(*, session, entries, seen_version, by, group_note=None, co_facilitators=None):
    """Save a whole roster at once: one attendance row per entry (created or updated), the
    group note, and the session marked held. ``seen_version`` is the session version the form
    was opened with: if someone saved since, ``StaleEdit`` is raised and nothing is
    written — unless the submission changes nothing (a double submit), which is a no-op.

    A fixed number of queries however many clients: the existing rows, the version bump,
    the session's history row, then at most one insert and one update (each with its history).
    """
    _roster_writable(session, timezone.localdate())
    problems = [p for p in (_entry_problems(session, e) for e in entries) if p]
    if len({e.episode.pk for e in entries}) != len(entries):
        problems.append("A client is listed twice on the roster.")
    if co_facilitators is not None:
        co_ids = {u.pk for u in co_facilitators}
        staff = set(session.site.staff.filter(pk__in=co_ids, is_active=True).values_list("pk", flat=True))
        if co_ids - staff:
            problems.append("A co-facilitator must be a staff member of this session's site.")
    if problems:
        raise ValidationError(problems)

    # The session row is locked before anything is read or written: a concurrent save waits
    # here, then sees the rows the other one committed, and a refused save writes nothing.
    locked = Session.objects.select_for_update().get(pk=session.pk)
    existing = {a.episode_id: a for a in Attendance.objects.filter(session=session)}
    if locked.version != seen_version or locked.is_signed:
        note_same = group_note is None or group_note == locked.group_note
        if note_same and _unchanged(existing, entries, session.duration_minutes):
            return locked  # the same form submitted twice: already saved, nothing to do
        raise StaleEdit(ROSTER_CHANGED, current=locked)
    # The facilitator is recorded when the roster is taken: the one already chosen, else whoever saves it.
    facilitator_id = locked.facilitator_id or (by.pk if by is not None else None)
    changes = {"version": F("version") + 1, "status": Session.Status.HELD, "facilitator_id": facilitator_id}
    if group_note is not None:
        changes["group_note"] = group_note
    Session.objects.filter(pk=session.pk).update(**changes)
    session.version = seen_version + 1
    session.status = Session.Status.HELD
    if session.facilitator_id != facilitator_id:
        session.facilitator = by
    if group_note is not None:
        session.group_note = group_note
    bulk_update_with_history([session], Session, fields=[], default_user=by)
    if co_facilitators is not None:  # who led it with the facilitator (never the facilitator twice)
        session.co_facilitators.set(co_ids - {facilitator_id})

    now = timezone.now()
    to_create, to_update = [], []
    for entry in entries:
        minutes = rules.default_minutes(entry.status, session.duration_minutes, entry.minutes)
        row = existing.get(entry.episode.pk)
        if row is None:
            to_create.append(
                Attendance(
                    session=session,
                    episode=entry.episode,
                    status=entry.status,
                    minutes_attended=minutes,
                    note=entry.note,
                    recorded_by=by,
                    recorded_at=now,
                    modality=entry.modality,
                )
            )
        elif (row.status, row.minutes_attended, row.note, row.modality) != (
            entry.status,
            minutes,
            entry.note,
            entry.modality,
        ):
            row.status, row.minutes_attended, row.note = entry.status, minutes, entry.note
            row.modality = entry.modality
            row.recorded_by, row.recorded_at = by, now
            to_update.append(row)
    if to_create:
        bulk_create_with_history(to_create, Attendance, default_user=by)
    if to_update:
        bulk_update_with_history(
            to_update,
            Attendance,
            fields=["status", "minutes_attended", "note", "recorded_by", "recorded_at", "modality"],
            default_user=by,
        )
    # The session is now held: every row of it is an input, not only the changed ones.
    episodes_inputs_changed(episode_ids=set(existing) | {e.episode.pk for e in entries})
    return session


def _session_locked_unsigned(session, action):
    locked = Session.objects.select_for_update().get(pk=session.pk)
    if locked.is_signed:
        raise ValidationError(f"This session's note is signed: it can no longer be {action}.")
    if locked.status == Session.Status.CANCELLED:
        raise ValidationError(f"This session was cancelled: it can no longer be {action}.")
    return locked


@transaction.atomic
def session_cancel(*, session, reason, by):
    """Cancel a session that was not held (no deletes): its status becomes cancelled, with the
    reason, who and when. A cancelled session counts for no one (attendance/rules.py)."""
    locked = _session_locked_unsigned(session, "cancelled")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the session is cancelled."})
    if Attendance.objects.filter(session=locked).exists():
        raise ValidationError(
            "The roster of this session was taken: it was held and cannot be cancelled. "
            "Mark the clients' attendance on the roster instead."
        )
    locked.status = Session.Status.CANCELLED
    locked.cancel_reason = reason
    locked.cancelled_at = timezone.now()
    locked.cancelled_by = by
    locked.version += 1
    locked.full_clean(exclude=["date"])  # an old session may be cancelled after the entry window
    locked.save(update_fields=["status", "cancel_reason", "cancelled_at", "cancelled_by", "version"])
    return locked


@transaction.atomic
def session_topic_set(*, session, topic, by):
    """Give a session (not signed, not cancelled) its topic."""
    locked = _session_locked_unsigned(session, "changed")
    if not topic.strip():
        raise ValidationError({"topic": "Write the topic."})
    if locked.topic == topic.strip():
        return locked  # unchanged (a repeated submit): nothing to write
    locked.topic = topic.strip()
    locked.version += 1
    locked.full_clean(exclude=["date"])
    locked.save(update_fields=["topic", "version"])
    return locked


@transaction.atomic
def session_note_sign(*, session, by):
    """Sign the session's note: the note and roster are locked from now on (addenda only).
    The stored note and roster are what is hashed (a concurrent roster save waits)."""
    session.refresh_from_db(from_queryset=Session.objects.select_for_update())
    if session.is_signed:
        raise ValidationError("This session's note is already signed.")
    if session.status == Session.Status.CANCELLED:
        raise ValidationError("A cancelled session has no note to sign.")
    if not session.group_note.strip() and not Attendance.objects.filter(session=session).exists():
        raise ValidationError("Take the roster or write the group note before signing.")
    session.note_signed_at = timezone.now()
    session.note_signed_by = by
    session.cosign_supervisor = cosign_supervisor_for(by)  # None: no co-signature needed
    session.signature_sha256 = integrity.content_sha256(session.signed_content())
    session.version += 1
    session.save(update_fields=["note_signed_at", "note_signed_by", "cosign_supervisor", "signature_sha256", "version"])
    signatures_record(records=[session])
    episodes_inputs_changed(episode_ids=Attendance.objects.filter(session=session).values_list("episode_id", flat=True))
    return session


@transaction.atomic
def session_note_cosign(*, session, by):
    """The named supervisor co-signs a signed group note (iop.cosign): the note, the roster
    and the SHA-256 are unchanged."""
    return record_cosign(model=Session, pk=session.pk, by=by)


@transaction.atomic
def session_addendum_add(*, session, text, by):
    """Add a correction to a signed session note (the signed text never changes)."""
    if not session.is_signed:
        raise ValidationError("The note is not signed yet: edit it on the roster instead of adding an addendum.")
    addendum = SessionAddendum(session=session, text=text.strip(), author=by)
    addendum.full_clean()
    addendum.save()
    return addendum


@transaction.atomic
def individual_session_log(
    *, episode, by, date, start_time, duration_minutes, kind, status, minutes=None, topic="", note="", modality=None
):
    """Log an individual (non-group) session of one client: the session and its attendance row."""
    today = timezone.localdate()
    name = episode.client.full_name
    if date > today:
        raise ValidationError({"date": "Attendance cannot be recorded for a future date."})
    if not episode.covers(date):
        raise ValidationError({"date": f"{name} had no active episode on {date:%m/%d/%Y}."})
    problem = rules.minutes_problem(status, duration_minutes, minutes)
    if problem:
        raise ValidationError({"minutes": problem})
    session = Session(
        site_id=episode.site_id,
        track=None,
        date=date,
        start_time=start_time,
        duration_minutes=duration_minutes,
        kind=kind,
        topic=topic,
        facilitator=by,
        status=Session.Status.HELD,
        modality=modality or Session.Modality.IN_PERSON,
    )
    _session_clean(session)
    session.save()
    row = Attendance(
        session=session,
        episode=episode,
        status=status,
        minutes_attended=rules.default_minutes(status, duration_minutes, minutes),
        note=note,
        recorded_by=by,
    )
    row.full_clean()
    row.save()
    episodes_inputs_changed(episode_ids=[episode.pk])
    return row


CORRECTION_CHANGED = (
    "This attendance was corrected since you opened the page (someone else saved a correction). "
    "This is the record now: nothing of yours was saved, please check it and correct it again if needed."
)


def correction_problems(attendance, status, minutes, reason):
    """Why this correction cannot be recorded (messages by field), or ``{}``."""
    errors = {}
    session = attendance.session
    if not session.is_signed:
        errors["__all__"] = "This session's note is not signed yet: change the status on the roster instead."
    elif session.status == Session.Status.CANCELLED:
        errors["__all__"] = "This session was cancelled: it counts for no one, so it has nothing to correct."
    if status not in Attendance.Status.values or status == Attendance.Status.CANCELLED:
        errors["status"] = "Choose the corrected status."
    else:
        problem = rules.minutes_problem(status, session.duration_minutes, minutes)
        if problem:
            errors["minutes"] = problem
    if not (reason or "").strip():
        errors["reason"] = "Say why the attendance is corrected."
    return errors


@transaction.atomic
def attendance_correct(*, attendance, status, reason, by, minutes=None, seen_correction_id=0):
    """Record a correction of one attendance row of a signed session: a new append-only
    AttendanceCorrection (the signed row and its signature stay as they were). From now on the
    row counts with the corrected status and minutes (``queries.effective_attendance``).

    ``seen_correction_id`` is the latest correction the form was opened with (0: none): if
    another was recorded since, ``StaleEdit`` is raised and nothing is written. A correction
    that changes nothing (same status and minutes as the row counts now) is refused.
    """
    errors = correction_problems(attendance, status, minutes, reason)
    if errors:
        raise ValidationError(errors)
    # Lock the row: two corrections of one row are serialised, the second sees the first.
    locked = Attendance.objects.select_for_update().get(pk=attendance.pk)
    latest = AttendanceCorrection.objects.filter(attendance=locked).order_by("-corrected_at", "-pk").first()
    minutes = rules.default_minutes(status, attendance.session.duration_minutes, minutes)
    if (latest.pk if latest else 0) != (seen_correction_id or 0):
        same = (status, minutes, reason.strip(), getattr(by, "pk", None))
        if latest is not None and same == (
            latest.status,
            latest.minutes_attended,
            latest.reason,
            latest.corrected_by_id,
        ):
            return latest  # the same form submitted twice: already recorded, nothing to do
        raise StaleEdit(CORRECTION_CHANGED, current=latest)
    now = (latest.status, latest.minutes_attended) if latest else (locked.status, locked.minutes_attended)
    if (status, minutes) == now:
        raise ValidationError({"status": "This is what the attendance already says: nothing to correct."})
    correction = AttendanceCorrection(
        attendance=locked,
        status=status,
        minutes_attended=minutes,
        reason=reason.strip(),
        corrected_by=by,
        corrected_at=timezone.now(),
    )
    correction.full_clean()
    correction.save()
    episodes_inputs_changed(episode_ids=[locked.episode_id])
    return correction
