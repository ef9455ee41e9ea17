"""Weekly check-ins: the client's Check-ins tab, the week's form, signing, addenda, the due list."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from audit.services import access_list_record
from checkins import scoring
from checkins.forms import AddendumForm, CheckInForm, answer_label
from checkins.models import CheckIn
from checkins.queries import client_checkins, due_episodes, week_summary
from checkins.services import addendum_add, checkin_cosign, checkin_save, checkin_sign, checkin_week_problems
from clients.models import Episode
from clients.records import client_record_open, episode_chosen, episode_open_for, record_context
from iop.dates import week_start, weeks_between
from iop.errors import StaleEdit
from iop.forms import add_service_errors
from iop.submissions import submission_replay, submit_once
from programs.models import Site


def _scores(checkin):
    """Totals, bands and the risk flag of a check-in, for display."""
    phq9 = _total(scoring.phq9_total, checkin.phq9_items)
    gad7 = _total(scoring.gad7_total, checkin.gad7_items)
    return {
        "phq9_total": phq9,
        "phq9_band": scoring.band_label(scoring.phq9_band(phq9)),
        "phq9_item9": scoring.phq9_item9_positive(checkin.phq9_items),
        "phq9_item9_label": answer_label(scoring.phq9_item9_answer(checkin.phq9_items)),
        "gad7_total": gad7,
        "gad7_band": scoring.band_label(scoring.gad7_band(gad7)),
        "risk_flag": scoring.risk_flag(
            risk=checkin.risk,
            suicidal_ideation=checkin.suicidal_ideation,
            homicidal_ideation=checkin.homicidal_ideation,
            overdose_risk=checkin.overdose_risk,
            phq9_items=checkin.phq9_items,
        ),
        "barriers": [CheckIn.Barrier(b).label for b in checkin.barriers or [] if b in CheckIn.Barrier.values],
    }


def _week_row(week, checkin):
    return {"week": week, "checkin": checkin, **(_scores(checkin) if checkin else {})}


def _total(func, items):
    try:
        return func(items or None)
    except ValueError:
        return None


def _parse_week(value):
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def _week_url(episode, week):
    return reverse("checkins:week", args=[episode.pk, week.isoformat()])


def _tab_url(episode):
    return f"{reverse('checkins:client', args=[episode.client_id])}?episode={episode.pk}"


@require_GET
def client(request, pk):
    """The Check-ins tab: every week of the episode, its check-in (or a gap), addenda, trends.

    Queries: client + access event (record open), episodes (record_context), check-ins with
    author/signer, their addenda; constant in the number of check-ins.
    """
    client = client_record_open(request, pk)
    ctx = record_context(client, "checkins", user=request.user)
    episode = episode_chosen(request, ctx)
    today = timezone.localdate()
    weeks, trend = [], []
    if episode is not None:
        checkins = client_checkins(episode)
        by_week = {c.week: c for c in checkins}
        last_day = min(today, episode.ended_on) if episode.ended_on else today
        mondays = weeks_between(week_start(episode.admitted_on), week_start(last_day))
        all_weeks = sorted(set(mondays) | set(by_week), reverse=True)
        weeks = [_week_row(w, by_week.get(w)) for w in all_weeks]
        trend = [row for row in reversed(weeks) if row["checkin"] is not None]
    ctx.update(
        {
            "episode": episode,
            "weeks": weeks,
            "trend": trend,
            "this_week": week_start(today),
            "can_write": request.user.has_perm("checkins.add_checkin") and episode is not None and episode.is_active,
            "trend_data": [
                {
                    "week": r["week"].strftime("%m/%d/%Y"),
                    "cravings": r["checkin"].cravings,
                    "phq9": r["phq9_total"],
                    "gad7": r["gad7_total"],
                }
                for r in trend
            ],
        }
    )
    return render(request, "checkins/client.html", ctx)


@require_GET
def open_week(request, episode_pk):
    """The "fill in a week" picker: opens that week's check-in (existing or new)."""
    episode, _ctx = episode_open_for(request, episode_pk, "checkins")
    raw = request.GET.get("week")
    week = _parse_week(raw) if raw else week_start(timezone.localdate())
    if week is None:
        messages.error(request, "Enter the week as a date (its Monday).")
        return redirect(_tab_url(episode))
    return redirect(_week_url(episode, week))


def week(request, episode_pk, week):
    """One week's check-in: the draft form (GET/POST), or the signed record with its addenda."""
    episode, ctx = episode_open_for(request, episode_pk, "checkins")
    day = _parse_week(week)
    if day is None:
        messages.error(request, "That is not a date: choose the week's Monday.")
        return redirect(_tab_url(episode))
    checkin = (
        CheckIn.objects.filter(episode=episode, week=day)
        .select_related("author", "signed_by", "cosign_supervisor", "cosigned_by")
        .first()
    )
    can_edit = request.user.has_perm("checkins.change_checkin" if checkin else "checkins.add_checkin")
    if checkin is None:
        problems = checkin_week_problems(episode=episode, week=day)
        if problems:
            for problem in problems:
                messages.error(request, problem)
            return redirect(_tab_url(episode))
    if checkin is not None and checkin.is_signed or not can_edit:
        if request.method == "POST":
            if not can_edit:
                raise PermissionDenied
            messages.error(request, "This check-in is signed and can no longer be edited; add an addendum instead.")
            return redirect(_week_url(episode, day))
        if checkin is None:
            messages.info(request, "There is no check-in for that week yet.")
            return redirect(_tab_url(episode))
        return _render_detail(request, ctx, checkin)

    form = CheckInForm(request.POST or None, instance=checkin or CheckIn(episode=episode, week=day))
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():  # a refused signature saves nothing either
                saved = checkin_save(
                    episode=episode,
                    week=day,
                    author=request.user,
                    fields=form.cleaned_fields(),
                    seen_version=form.cleaned_data["version"],
                )
                if request.POST.get("action") == "sign":
                    checkin_sign(checkin=saved, by=request.user, seen_version=saved.version)
            if request.POST.get("action") == "sign":
                messages.success(request, "Check-in signed. Later changes are addenda.")
            else:
                messages.success(request, "Draft saved.")
            return redirect(_week_url(episode, day))
        except StaleEdit as exc:
            messages.error(request, exc.messages[0])
            current = CheckIn.objects.filter(episode=episode, week=day).first()
            if current is not None and current.is_signed:
                return redirect(_week_url(episode, day))
            form = CheckInForm(instance=current or CheckIn(episode=episode, week=day))
        except ValidationError as exc:
            add_service_errors(exc, form)
    return _render_form(request, ctx, day, checkin, form, status=400 if form.errors else 200)


def _render_form(request, ctx, day, checkin, form, status=200):
    episode = ctx["episode"]
    ctx.update(
        {
            "episode": episode,
            "week": day,
            "week_end": day + dt.timedelta(days=6),
            "checkin": checkin,
            "form": form,
            "summary": week_summary(episode, day),
            "scores": _scores(checkin) if checkin else None,
        }
    )
    return render(request, "checkins/form.html", ctx, status=status)


def _render_detail(request, ctx, checkin, addendum_form=None, status=200):
    episode = ctx["episode"]
    ctx.update(
        {
            "episode": episode,
            "week": checkin.week,
            "week_end": checkin.week + dt.timedelta(days=6),
            "checkin": checkin,
            "scores": _scores(checkin),
            "addenda": list(checkin.addenda.select_related("author").order_by("created_at", "pk")),
            "summary": week_summary(episode, checkin.week),
            "addendum_form": addendum_form or AddendumForm(),
            "can_add_addendum": checkin.is_signed and request.user.has_perm("checkins.add_addendum"),
        }
    )
    return render(request, "checkins/detail.html", ctx, status=status)


@require_POST
def addendum(request, pk):
    """Add an addendum to a signed check-in."""
    checkin = get_object_or_404(
        CheckIn.objects.filter(episode__in=Episode.objects.for_user(request.user)).select_related(
            "episode", "author", "signed_by"
        ),
        pk=pk,
    )
    if not request.user.has_perm("checkins.add_addendum"):
        raise PermissionDenied
    _episode, ctx = episode_open_for(request, checkin.episode_id, "checkins")
    if replay := submission_replay(request):
        return replay
    form = AddendumForm(request.POST)
    if form.is_valid():

        def save():
            addendum_add(checkin=checkin, by=request.user, text=form.cleaned_data["text"])
            messages.success(request, "Addendum added.")
            return _week_url(checkin.episode, checkin.week)

        try:
            return submit_once(request, save)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(_week_url(checkin.episode, checkin.week))
    return _render_detail(request, ctx, checkin, addendum_form=form, status=400)


@require_POST
def cosign(request, pk):
    """The named supervisor co-signs a signed check-in (the text is not changed)."""
    checkin = get_object_or_404(
        CheckIn.objects.filter(episode__in=Episode.objects.for_user(request.user)).select_related("episode"), pk=pk
    )
    if checkin.cosign_supervisor_id != request.user.pk:
        raise PermissionDenied  # only the named supervisor co-signs (iop.cosign)
    if replay := submission_replay(request):
        return replay

    def save():
        checkin_cosign(checkin=checkin, by=request.user)
        messages.success(request, "Check-in co-signed.")
        return _week_url(checkin.episode, checkin.week)

    try:
        return submit_once(request, save)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(_week_url(checkin.episode, checkin.week))


@require_GET
def due(request):
    """Active clients without a signed check-in for this week.

    Therapists see their own clients by default; case managers and admins see everyone in
    their sites; both can filter by site. Queries: sites for the filter, the episodes (one
    query with client, site, therapist); constant in the number of clients.
    """
    today = timezone.localdate()
    this_week = week_start(today)
    sites = list(Site.objects.for_user(request.user).order_by("name"))
    writes_checkins = request.user.has_perm("checkins.add_checkin") and not request.user.is_superuser
    scope = request.GET.get("scope") or ("mine" if writes_checkins else "all")
    site = next((s for s in sites if str(s.pk) == request.GET.get("site")), None)
    episodes = list(
        due_episodes(
            user=request.user,
            week=this_week,
            therapist=request.user if scope == "mine" else None,
            site=site,
        )
    )
    access_list_record(request=request, client_ids=[e.client_id for e in episodes])
    return render(
        request,
        "checkins/due.html",
        {
            "episodes": episodes,
            "week": this_week,
            "sites": sites,
            "site": site,
            "scope": scope,
        },
    )
