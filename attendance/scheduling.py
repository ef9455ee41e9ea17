"""Schedules (issue 15): individual, family, medication and case-management sessions scheduled
for one client, rescheduled and cancelled with their history kept.

A scheduled session is a ``Session`` (no track) whose ``scheduled_for`` is the client's episode:
its one expected attendee, on its roster on the day. The clinician is its facilitator, so it
shows in the Today view and in the clinician's week. Rescheduling moves the session (the
previous date and time are kept on it and in its history); cancelling is the sessions' own
cancel-with-a-reason (``services.session_cancel``). Every function validates first and writes
nothing when it raises ``ValidationError``.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from attendance.models import Attendance, Session
from iop.validators import session_date_problem

SCHEDULABLE_KINDS = (
    Session.Kind.INDIVIDUAL,
    Session.Kind.FAMILY,
    Session.Kind.MEDICATION,
    Session.Kind.CASE_MANAGEMENT,
)


def clinicians_of(site):
    """The staff who can hold a session at ``site``: its active staff members, by name."""
    return site.staff.filter(is_active=True).order_by("last_name", "first_name", "username")


def _when_problems(episode, date, clinician, today):
    errors = {}
    if date < today:
        errors["date"] = "A session is scheduled for today or later (log a past session instead)."
    elif problem := session_date_problem(date, today):
        errors["date"] = problem
    elif episode.ended_on is not None and date > episode.ended_on:
        errors["date"] = f"This episode ended on {episode.ended_on:%m/%d/%Y}: schedule within the episode."
    elif date < episode.admitted_on:
        errors["date"] = f"This episode starts on {episode.admitted_on:%m/%d/%Y}."
    if clinician is None or not clinicians_of(episode.site).filter(pk=clinician.pk).exists():
        errors["clinician"] = "Choose a staff member of the client's site."
    return errors


@transaction.atomic
def session_schedule(
    *, episode, by, kind, date, start_time, duration_minutes, clinician, modality=Session.Modality.IN_PERSON, topic=""
):
    """Schedule a session for one client: status scheduled, the client its expected attendee,
    the clinician its facilitator."""
    errors = _when_problems(episode, date, clinician, timezone.localdate())
    if kind not in SCHEDULABLE_KINDS:
        errors["kind"] = "Schedule an individual, family, medication or case-management session."
    if episode.status != episode.Status.ACTIVE:
        errors.setdefault("date", "This client has no active episode.")
    if errors:
        raise ValidationError(errors)
    session = Session(
        site_id=episode.site_id,
        track=None,
        date=date,
        start_time=start_time,
        duration_minutes=duration_minutes,
        kind=kind,
        topic=topic.strip(),
        facilitator=clinician,
        status=Session.Status.SCHEDULED,
        modality=modality or Session.Modality.IN_PERSON,
        scheduled_for=episode,
    )
    session.full_clean()
    session.save()
    return session


@transaction.atomic
def session_reschedule(*, session, by, date, start_time, clinician, duration_minutes=None, modality=None):
    """Move a scheduled session (date, time, clinician; length and modality if given). The date
    and time it had are kept as "rescheduled from"; the history keeps every earlier state. A
    submission that changes nothing writes nothing."""
    locked = Session.objects.select_for_update(of=("self",)).select_related("scheduled_for__site").get(pk=session.pk)
    if locked.status != Session.Status.SCHEDULED or locked.is_signed:
        raise ValidationError("Only a session still scheduled (not held, cancelled or signed) can be rescheduled.")
    if Attendance.objects.filter(session=locked).exists():
        raise ValidationError("The roster of this session was taken: it was held and cannot be rescheduled.")
    if locked.scheduled_for is None:
        raise ValidationError("Only a session scheduled for one client is rescheduled here.")
    errors = _when_problems(locked.scheduled_for, date, clinician, timezone.localdate())
    if errors:
        raise ValidationError(errors)
    duration_minutes = duration_minutes or locked.duration_minutes
    modality = modality or locked.modality
    new = (date, start_time, clinician.pk, duration_minutes, modality)
    if new == (locked.date, locked.start_time, locked.facilitator_id, locked.duration_minutes, locked.modality):
        return locked  # unchanged (a repeated submit): nothing to write
    if (date, start_time) != (locked.date, locked.start_time):
        locked.rescheduled_from_date, locked.rescheduled_from_time = locked.date, locked.start_time
    locked.date, locked.start_time, locked.facilitator = date, start_time, clinician
    locked.duration_minutes, locked.modality = duration_minutes, modality
    locked.version += 1
    locked.full_clean()
    locked.save()
    return locked


def week_days(monday):
    return [monday + dt.timedelta(days=n) for n in range(7)]


def week_sessions(sites, monday, clinician=None):
    """The sessions of the week starting ``monday`` at ``sites`` (a queryset), of one clinician
    if given, by day and time, with their client (when scheduled for one) and roster counts.
    One query, whatever the number of sessions or clients."""
    sessions = Session.objects.filter(site__in=sites, date__range=(monday, monday + dt.timedelta(days=6)))
    if clinician is not None:
        sessions = sessions.filter(facilitator=clinician)
    return list(
        sessions.select_related("site", "track", "facilitator", "scheduled_for__client")
        .annotate(
            recorded=Count("attendance", distinct=True),
            attended=Count("attendance", filter=Q(attendance__status__in=Attendance.ATTENDED), distinct=True),
        )
        .order_by("date", "start_time", "site__name", "pk")
    )


def scheduled_for_episode(episode, today):
    """The client's sessions scheduled from today on (not cancelled), soonest first. One query."""
    return list(
        Session.objects.filter(scheduled_for=episode, date__gte=today, status=Session.Status.SCHEDULED)
        .select_related("facilitator")
        .order_by("date", "start_time", "pk")
    )
