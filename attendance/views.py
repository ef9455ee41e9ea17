import contextlib
import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from attendance import queries, schedule_views, services, telehealth
from attendance.correction_views import correction_context
from attendance.forms import (
    AddendumForm,
    IndividualSessionForm,
    RosterForm,
    SessionCancelForm,
    SessionForm,
    SessionTopicForm,
)
from attendance.models import Session
from audit.services import access_list_record
from clients.records import client_record_open, episode_for_write, record_context
from iop.dates import week_end, week_start
from iop.errors import StaleEdit
from iop.forms import add_service_errors
from iop.submissions import submission_replay, submit_once
from programs.models import Site

WRITE_PERMS = ("attendance.add_attendance", "attendance.change_attendance", "attendance.change_session")


def _can_write(user):
    return user.has_perms(WRITE_PERMS)


def _session_or_404(request, pk):
    sessions = (
        Session.objects.filter(site__in=Site.objects.for_user(request.user))
        .select_related(
            "site", "track", "facilitator", "note_signed_by", "cancelled_by", "cosign_supervisor", "cosigned_by"
        )
        .prefetch_related("co_facilitators")
    )
    return get_object_or_404(sessions, pk=pk)


def _ids(values):
    # isdecimal(): isdigit() passes "²", which int() refuses; 18 digits fit any database's bigint.
    return [int(v) for v in values if str(v).isdecimal() and len(str(v)) <= 18]


@require_GET
def today(request):
    """The sessions of a day (today unless ``?date=``) at the user's sites, roster taken or not."""
    day = timezone.localdate()
    with contextlib.suppress(ValueError):
        day = dt.date.fromisoformat(request.GET.get("date", ""))
    sessions = list(queries.sessions_on(request.user, day))
    access_list_record(request=request, client_ids=queries.session_client_ids(sessions))
    return render(
        request,
        "attendance/today.html",
        {
            "day": day,
            "is_today": day == timezone.localdate(),
            "previous_day": day - dt.timedelta(days=1),
            "next_day": day + dt.timedelta(days=1),
            "sessions": sessions,
            "can_write": _can_write(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def session_create(request):
    if not request.user.has_perm("attendance.add_session"):
        raise PermissionDenied
    if replay := submission_replay(request):
        return replay
    form = SessionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():

        def save():
            session = services.session_create(by=request.user, **form.cleaned_data)
            messages.success(request, "Session created.")
            return reverse("attendance:session", args=[session.pk])

        try:
            return submit_once(request, save)
        except ValidationError as exc:
            add_service_errors(exc, form)
    return render(request, "attendance/session_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
def session_detail(request, pk):
    """The roster: every client of the session's track (and anyone recorded or added for a
    make-up), saved with one POST."""
    session = _session_or_404(request, pk)
    can_write = _can_write(request.user)
    if request.method == "POST":
        if not can_write:
            raise PermissionDenied
        return _roster_post(request, session)
    added = _ids(request.GET.getlist("add"))
    episodes = queries.roster_episodes(session, extra_ids=added)
    existing = _existing(session)
    form = RosterForm(session=session, episodes=episodes, existing=existing)
    makeup_q = _makeup_query(request.GET)
    return _roster_render(request, session, form, can_write, existing, added, makeup_q=makeup_q)


DRAFT_PREFIXES = ("status_", "minutes_", "note_", "modality_")


def _roster_makeup_add(request, session):
    """Add a make-up client to the roster being typed: nothing is saved, and every status,
    minute, note and the group note typed so far come back as they were."""
    posted = _ids(request.POST.getlist("episode"))
    # "Search" finds clients (and adds no one); "Add to roster" adds the match chosen.
    added = _ids(request.POST.getlist("add"))[:1] if "makeup" in request.POST else []
    episodes = queries.roster_episodes(session, extra_ids=[*posted, *added])
    draft = {k: v for k, v in request.POST.items() if k.startswith(DRAFT_PREFIXES) or k in ("group_note", "version")}
    draft["co_facilitators"] = request.POST.getlist("co_facilitators")  # the boxes ticked so far
    existing = {a.episode_id: a for a in session.attendance.all()}
    form = RosterForm(session=session, episodes=episodes, existing=existing, initial=draft)
    makeup_q = _makeup_query(request.POST) if "makeup_search" in request.POST else ""
    return _roster_render(request, session, form, True, existing, [*posted, *added], makeup_q=makeup_q)


def _roster_post(request, session):
    if "makeup" in request.POST or "makeup_search" in request.POST:
        return _roster_makeup_add(request, session)
    raw = request.POST.getlist("episode")
    posted = _ids(raw)
    wanted = set(posted)
    episodes = [e for e in queries.roster_episodes(session, extra_ids=posted) if e.pk in wanted]
    form = RosterForm(request.POST, session=session, episodes=episodes, existing={})
    if len(episodes) != len(wanted) or len(posted) != len(raw):  # an id that is not one: refused
        form.add_error(None, "A client on this roster has no active episode at this site on the session date.")
    if form.is_valid():
        try:
            services.roster_save(
                session=session,
                entries=form.entries(),
                seen_version=form.cleaned_data["version"],
                by=request.user,
                group_note=None if session.is_signed else form.cleaned_data["group_note"].strip(),
                co_facilitators=form.cleaned_data["co_facilitators"],
            )
        except StaleEdit as exc:
            messages.error(request, exc.message)
            return redirect("attendance:session", session.pk)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Roster saved: {len(episodes)} clients.")
            return redirect("attendance:session", session.pk)
    return _roster_render(request, session, form, True, {}, posted, status=400)


def _makeup_query(data):
    """The make-up search's words as typed: at most 100 characters, no NUL (which no name holds
    and PostgreSQL refuses in a query)."""
    return data.get("makeup_q", "").replace("\x00", "")[:100]


def _existing(session):
    """The session's attendance rows by episode id (a signed session's with their corrections)."""
    if session.is_signed:
        return queries.session_rows_with_corrections(session)
    return {a.episode_id: a for a in session.attendance.all()}


def _roster_render(
    request,
    session,
    form,
    can_write,
    existing,
    added,
    status=200,
    cancel_form=None,
    topic_form=None,
    correction_form=None,
    makeup_q="",
):
    editable = can_write and not session.is_signed and session.status != Session.Status.CANCELLED
    candidates = []
    if editable and session.date <= timezone.localdate() and makeup_q.strip():
        candidates = queries.makeup_search(session, makeup_q, exclude_ids=[e.pk for e in form.episodes])
    access_list_record(request=request, client_ids=[e.client_id for e in (*form.episodes, *candidates)])
    context = {
        "session": session,
        "form": form,
        "editable": editable,
        "can_write": can_write,
        "roster_taken": bool(existing),
        "added": added,
        "candidates": candidates[: queries.MAKEUP_MATCHES],
        "more_candidates": len(candidates) > queries.MAKEUP_MATCHES,
        "makeup_q": makeup_q.strip(),
        "addenda": list(session.addenda.select_related("author")),
        "addendum_form": AddendumForm(),
        "cancel_form": cancel_form or SessionCancelForm(),
        "topic_form": topic_form or SessionTopicForm(initial={"topic": session.topic}),
        "can_change": can_write and not session.is_signed and session.status != Session.Status.CANCELLED,
        "future": session.date > timezone.localdate(),
        "modality_hours": telehealth.roster_modalities(session, list(existing.values())),
        **correction_context(session, form.rows, request.user, bound=correction_form),
    }
    return render(request, "attendance/session_detail.html", context, status=status)


@require_POST
def session_sign(request, pk):
    session = _session_or_404(request, pk)
    if not _can_write(request.user):
        raise PermissionDenied
    try:
        services.session_note_sign(session=session, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Session note signed: the roster and note are now locked.")
    return redirect("attendance:session", session.pk)


def _session_change(request, session, form, *, service, done, form_name):
    """POST a small change of a session (cancel, topic): once per submission key; a refusal is
    shown on the session page with nothing written."""
    if form.is_valid():

        def save():
            service(session=session, by=request.user, **form.cleaned_data)
            messages.success(request, done)
            return reverse("attendance:session", args=[session.pk])

        try:
            return submit_once(request, save)
        except ValidationError as exc:
            add_service_errors(exc, form)
    return _roster_page(request, session, status=400, **{form_name: form})


def _roster_page(request, session, status=200, **forms_):
    episodes = queries.roster_episodes(session)
    existing = _existing(session)
    form = RosterForm(session=session, episodes=episodes, existing=existing)
    return _roster_render(request, session, form, _can_write(request.user), existing, [], status=status, **forms_)


@require_POST
def session_cancel(request, pk):
    """Cancel a session that was not held, with a reason (nothing is deleted)."""
    session = _session_or_404(request, pk)
    if not _can_write(request.user):
        raise PermissionDenied
    if replay := submission_replay(request):
        return replay
    form = SessionCancelForm(request.POST)
    return _session_change(
        request, session, form, service=services.session_cancel, done="Session cancelled.", form_name="cancel_form"
    )


@require_POST
def session_topic(request, pk):
    """Give a session its topic."""
    session = _session_or_404(request, pk)
    if not _can_write(request.user):
        raise PermissionDenied
    if replay := submission_replay(request):
        return replay
    form = SessionTopicForm(request.POST)
    return _session_change(
        request, session, form, service=services.session_topic_set, done="Topic saved.", form_name="topic_form"
    )


@require_POST
def session_cosign(request, pk):
    """The named supervisor co-signs the signed group note (the note is not changed)."""
    session = _session_or_404(request, pk)
    if session.cosign_supervisor_id != request.user.pk:
        raise PermissionDenied  # only the named supervisor co-signs (iop.cosign)
    if replay := submission_replay(request):
        return replay

    def save():
        services.session_note_cosign(session=session, by=request.user)
        messages.success(request, "Group note co-signed.")
        return reverse("attendance:session", args=[session.pk])

    try:
        return submit_once(request, save)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("attendance:session", session.pk)


@require_POST
def session_addendum(request, pk):
    session = _session_or_404(request, pk)
    if not _can_write(request.user):
        raise PermissionDenied
    if replay := submission_replay(request):
        return replay
    form = AddendumForm(request.POST)
    if form.is_valid():

        def save():
            services.session_addendum_add(session=session, text=form.cleaned_data["text"], by=request.user)
            messages.success(request, "Addendum added.")
            return reverse("attendance:session", args=[session.pk])

        try:
            return submit_once(request, save)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, "Write the text of the addendum.")
    return redirect("attendance:session", session.pk)


@require_GET
def client(request, pk):
    """The client's attendance tab: week by week, the 4-week rate, group and individual notes."""
    record = client_record_open(request, pk)
    return _client_render(request, record, IndividualSessionForm())


@require_POST
def individual_log(request, pk):
    """Log an individual session from the client's attendance tab."""
    record = client_record_open(request, pk)
    if not request.user.has_perm("attendance.add_attendance"):
        raise PermissionDenied
    if replay := submission_replay(request):
        return replay
    form = IndividualSessionForm(request.POST)
    ctx = record_context(record, "attendance", user=request.user)
    episode = ctx["episode"]
    if episode is None:
        form.add_error(None, "This client has no episode.")
    elif form.is_valid():

        def save():
            services.individual_session_log(
                episode=episode_for_write(request.user, episode), by=request.user, **form.cleaned_data
            )
            messages.success(request, "Session logged.")
            return reverse("attendance:client", args=[record.pk])

        try:
            return submit_once(request, save)
        except ValidationError as exc:
            add_service_errors(exc, form)
    return _client_render(request, record, form, ctx=ctx, status=400)


def _client_render(request, record, form, ctx=None, status=200, schedule_form=None):
    ctx = ctx or record_context(record, "attendance", user=request.user)
    form = form or IndividualSessionForm()
    wanted = request.GET.get("episode")
    episode = next((e for e in ctx["episodes"] if str(e.pk) == wanted), ctx["episode"])
    ctx["episode"] = episode
    today_ = timezone.localdate()
    rows, weeks, rate, partial_week = [], [], None, None
    if episode is not None:
        overview = queries.attendance_overview(episode, today_)
        rows, weeks, rate, as_of = overview.rows, overview.weeks, overview.rate, overview.as_of
        if as_of < week_end(as_of):  # the last week shown is not over (yet, or ever: episode ended)
            partial_week = week_start(as_of)
    ctx.update(telehealth.tab_modalities(rows, weeks))
    ctx.update(schedule_views.schedule_context(request, ctx, schedule_form))
    ctx.update(
        {
            "rows": rows[::-1],
            "weeks": weeks,
            "rate": rate,
            "partial_week": partial_week,
            "week_in_progress": episode is not None and episode.ended_on is None,
            "form": form,
            "can_log": request.user.has_perm("attendance.add_attendance") and episode is not None,
        }
    )
    return render(request, "attendance/client.html", ctx, status=status)
