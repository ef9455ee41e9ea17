"""Goals tab of the client record, goal forms and the weekly worksheet (thin views)."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from clients.models import Episode
from clients.records import client_record_open, episode_chosen, episode_open_for, record_context
from goals import queries, rules, services
from goals.forms import GoalForm, GoalStatusForm, WeekForm, WorksheetForm
from goals.models import Goal
from iop.dates import week_start
from iop.errors import StaleEdit
from iop.permissions import perms_require
from iop.submissions import submission_replay, submit_once


def _tab_url(episode):
    return f"{reverse('goals:client', args=[episode.client_id])}?episode={episode.pk}"


def client(request, pk):
    """The Goals tab: goals with their latest rating, the week-by-week grid, share on track."""
    client = client_record_open(request, pk)
    ctx = record_context(client, "goals", user=request.user)
    episode = episode_chosen(request, ctx)
    if episode is not None:
        overview = queries.goals_overview(episode)
        ctx.update(
            overview=overview,
            on_track_pct=None if overview.on_track is None else round(overview.on_track * 100),
            this_week=week_start(timezone.localdate()),
            can_add_goal=episode.is_active and request.user.has_perm("goals.add_goal"),
            can_change_goal=episode.is_active and request.user.has_perm("goals.change_goal"),
            can_fill=request.user.has_perms(["goals.add_worksheet", "goals.change_worksheet"]),
        )
    return render(request, "goals/client.html", ctx)


def goal_add(request, episode_pk):
    episode, ctx = episode_open_for(request, episode_pk, "goals")
    perms_require(request.user, "goals.add_goal")
    if replay := submission_replay(request):
        return replay
    form = GoalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():

        def save():
            goal = services.goal_add(episode=episode, by=request.user, **form.cleaned_data)
            messages.success(request, f"Goal {goal.ref} added.")
            return _tab_url(episode)

        try:
            return submit_once(request, save)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
    return render(request, "goals/goal_form.html", {**ctx, "form": form, "old": None})


def _goal_open(request, goal_pk):
    goal = get_object_or_404(
        Goal.objects.filter(episode__in=Episode.objects.for_user(request.user)).select_related("set_by"), pk=goal_pk
    )
    episode, ctx = episode_open_for(request, goal.episode_id, "goals")
    return goal, episode, ctx


def goal_revise(request, goal_pk):
    old, episode, ctx = _goal_open(request, goal_pk)
    perms_require(request.user, "goals.add_goal", "goals.change_goal")
    if replay := submission_replay(request):
        return replay
    form = GoalForm(request.POST or None, instance=None, initial={f: getattr(old, f) for f in services.GOAL_FIELDS})
    if request.method == "POST" and form.is_valid():

        def save():
            new = services.goal_revise(goal=old, by=request.user, **form.cleaned_data)
            messages.success(request, f"{old.ref} revised: the new wording is {new.ref}.")
            return _tab_url(episode)

        try:
            return submit_once(request, save)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
    return render(request, "goals/goal_form.html", {**ctx, "form": form, "old": old})


@require_POST
def goal_status(request, goal_pk):
    goal, episode, _ctx = _goal_open(request, goal_pk)
    perms_require(request.user, "goals.change_goal")
    form = GoalStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose achieved or discontinued.")
    else:
        try:
            goal = services.goal_status_set(goal=goal, status=form.cleaned_data["status"], by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"{goal.ref} marked {goal.get_status_display().lower()}.")
    return redirect(_tab_url(episode))


def _goals_annotate(goals, *, last_week, today):
    """Beside each goal on the worksheet: last week's rating and, past its target date, since when it is overdue."""
    for goal in goals:
        goal.last_week_rating = last_week.get(goal.pk)
        goal.overdue_since = rules.overdue_since(status=goal.status, target_date=goal.target_date, today=today)


def worksheet(request, episode_pk):
    """Fill (or reopen) the episode's worksheet of a week: ``?week=YYYY-MM-DD``, default this week."""
    episode, ctx = episode_open_for(request, episode_pk, "goals")
    if request.method == "POST":
        perms_require(request.user, "goals.add_worksheet", "goals.change_worksheet")
    today = timezone.localdate()
    week_form = WeekForm(request.POST if request.method == "POST" else (request.GET or None))
    if week_form.is_bound and not week_form.is_valid():
        problems = [e for errors in week_form.errors.values() for e in errors]
        week = None
    else:
        week = week_form.cleaned_data["week"] if week_form.is_bound else week_start(today)
        problems = rules.week_problems(
            week=week, today=today, admitted_on=episode.admitted_on, ended_on=episode.ended_on
        )
    ctx["week"] = week
    if problems:
        return render(request, "goals/worksheet.html", {**ctx, "problems": problems}, status=400)

    current = queries.worksheet_for_week(episode, week)
    goals = services.worksheet_goals(episode, current)
    initial = WorksheetForm.initial_for(current) if current else {}
    form = WorksheetForm(request.POST or None, initial=initial, goals=goals)
    if request.method == "POST" and form.is_valid():
        try:
            services.worksheet_save(
                episode=episode,
                week=week,
                ratings=form.ratings(),
                reflection=form.cleaned_data["reflection"],
                version=form.cleaned_data["version"],
                by=request.user,
                today=today,
            )
        except StaleEdit as exc:
            form = WorksheetForm(initial=initial, goals=goals)  # the current state, unbound
            ctx["conflict"] = exc.messages[0]
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, f"Worksheet for the week of {week:%m/%d/%Y} saved.")
            return redirect(_tab_url(episode))
    ctx["last_week"] = week - dt.timedelta(weeks=1)
    _goals_annotate(goals, last_week=queries.week_ratings(episode, ctx["last_week"]), today=today)
    can_fill = request.user.has_perms(["goals.add_worksheet", "goals.change_worksheet"])
    if not can_fill:  # readers see the worksheet, read-only
        for f in form.fields.values():
            f.disabled = True
    return render(request, "goals/worksheet.html", {**ctx, "form": form, "current": current, "can_fill": can_fill})
