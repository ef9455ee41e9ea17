"""Schedules (issue 15): schedule a session for a client from their Attendance tab, the week
view per clinician (or per site), reschedule. Cancelling is the session page's own cancel."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from attendance import scheduling
from attendance.models import Session
from attendance.schedule_forms import RescheduleForm, ScheduleForm, WeekFilterForm
from audit.services import access_list_record
from clients.records import client_record_open, episode_for_write, record_context
from iop.dates import week_start
from iop.forms import add_service_errors
from iop.submissions import submission_replay, submit_once
from programs.models import Site

SCHEDULE_PERM = "attendance.add_session"
RESCHEDULE_PERM = "attendance.change_session"


def schedule_context(request, ctx, form=None):
    """What the Attendance tab shows of the schedules: the client's sessions to come and, for
    staff who may schedule, the form. One query (the sessions); the form's clinicians are read
    when it is shown."""
    episode = ctx.get("episode")
    if episode is None:
        return {"upcoming": [], "schedule_form": None}
    can = request.user.has_perm(SCHEDULE_PERM) and episode.is_active
    if form is None and can:
        form = ScheduleForm(site=episode.site, user=request.user)
    return {"upcoming": scheduling.scheduled_for_episode(episode, timezone.localdate()), "schedule_form": form}


@require_POST
def schedule_session(request, pk):
    """Schedule an individual, family, medication or case-management session for the client."""
    from attendance.views import _client_render  # the Attendance tab, shown again with the errors

    record = client_record_open(request, pk)
    if not request.user.has_perm(SCHEDULE_PERM):
        raise PermissionDenied
    if replay := submission_replay(request):
        return replay
    ctx = record_context(record, "attendance", user=request.user)
    episode = ctx["episode"]
    if episode is None or not episode.is_active:
        raise Http404("This client has no active episode at your sites.")
    form = ScheduleForm(request.POST, site=episode.site, user=request.user)
    if form.is_valid():

        def save():
            session = scheduling.session_schedule(
                episode=episode_for_write(request.user, episode), by=request.user, **form.cleaned_data
            )
            messages.success(request, f"Session scheduled for {session.date:%m/%d/%Y} at {session.start_time:%H:%M}.")
            return reverse("attendance:client", args=[record.pk])

        try:
            return submit_once(request, save)
        except ValidationError as exc:
            add_service_errors(exc, form)
    return _client_render(request, record, None, ctx=ctx, status=400, schedule_form=form)


def _week_sites(request):
    return Site.objects.for_user(request.user).order_by("name")


@require_GET
def week(request):
    """The sessions of one week (Monday to Sunday) at the user's sites: of one clinician (the
    user, unless another or "all clinicians" is chosen), optionally of one site."""
    sites = _week_sites(request)
    data = request.GET.copy()
    if "clinician" not in data:
        data["clinician"] = str(request.user.pk)  # one's own week, unless all or another is chosen
    form = WeekFilterForm(data, sites=sites)
    form.is_valid()
    if "site" in form.errors or "clinician" in form.errors:
        raise Http404("No such site or clinician at your sites.")  # another site's id: as a missing one
    monday = week_start(form.cleaned_data.get("week") or timezone.localdate())
    site, clinician = form.cleaned_data.get("site"), form.cleaned_data.get("clinician")
    sessions = scheduling.week_sessions(sites.filter(pk=site.pk) if site else sites, monday, clinician)
    access_list_record(request=request, client_ids=[s.scheduled_for.client_id for s in sessions if s.scheduled_for])
    days = [(day, [s for s in sessions if s.date == day]) for day in scheduling.week_days(monday)]
    query = {k: v for k, v in data.items() if k in ("site", "clinician")}
    return render(
        request,
        "attendance/week.html",
        {
            "form": form,
            "monday": monday,
            "sunday": monday + dt.timedelta(days=6),
            "days": days,
            "today": timezone.localdate(),
            "clinician": clinician,
            "site": site,
            "previous_week": monday - dt.timedelta(weeks=1),
            "next_week": monday + dt.timedelta(weeks=1),
            "query": "&".join(f"{k}={v}" for k, v in query.items()),
            "count": len(sessions),
        },
    )


def _scheduled_session_or_404(request, pk):
    sessions = Session.objects.filter(site__in=Site.objects.for_user(request.user)).select_related(
        "site", "facilitator", "scheduled_for__client"
    )
    try:
        return sessions.get(pk=pk)
    except Session.DoesNotExist:
        raise Http404("No such session at your sites.") from None


@require_http_methods(["GET", "POST"])
def session_reschedule(request, pk):
    """Move a scheduled session to another date, time or clinician (history kept)."""
    session = _scheduled_session_or_404(request, pk)
    if not request.user.has_perm(RESCHEDULE_PERM):
        raise PermissionDenied
    if replay := submission_replay(request):
        return replay
    movable = session.status == Session.Status.SCHEDULED and session.scheduled_for_id and not session.is_signed
    form = RescheduleForm(request.POST or None, session=session)
    status = 200
    if request.method == "POST":
        status = 400
        if not movable:
            form.add_error(None, "Only a session still scheduled for one client can be rescheduled.")
        elif form.is_valid():

            def save():
                scheduling.session_reschedule(session=session, by=request.user, **form.cleaned_data)
                messages.success(request, "Session rescheduled.")
                return reverse("attendance:session", args=[session.pk])

            try:
                return submit_once(request, save)
            except ValidationError as exc:
                add_service_errors(exc, form)
    if session.scheduled_for_id:
        access_list_record(request=request, client_ids=[session.scheduled_for.client_id])
    return render(
        request, "attendance/reschedule.html", {"session": session, "form": form, "movable": movable}, status=status
    )
