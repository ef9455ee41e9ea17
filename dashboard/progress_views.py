"""The client record's Progress tab (markers explained, charts, decisions) and recording a decision."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from clients.records import client_record_open, episode_for_write, record_context
from dashboard.forms import DecisionForm
from dashboard.history import episode_history, evidence_summary
from dashboard.markers import FLAG_LABELS, explain
from dashboard.models import Decision
from dashboard.queries import episode_evaluation
from dashboard.services import decision_record
from dashboard.views import READINESS_BADGE
from iop.submissions import submission_replay, submit_once

CRITERION_LABELS = {
    "weeks_in_program": "Time in program",
    "attendance_rate": "Attendance",
    "weekly_hours": "Weekly hours",
    "negative_streak": "Negative screens",
    "no_recent_positive": "No recent positive",
    "goals_on_track": "Goals on track",
    "recommendation": "Therapist's recommendation",
    "no_recent_risk": "No recent risk",
}


def _readiness_context(evaluation):
    """[(title, readiness, badge class, [(label, criterion, words)])] for the template."""
    return [
        (
            title,
            readiness,
            READINESS_BADGE[readiness.status],
            [(CRITERION_LABELS.get(c.name, c.name), c, explain(c)) for c in readiness.criteria],
        )
        for title, readiness in (("Step-down", evaluation.step_down), ("Graduation", evaluation.graduation))
    ]


def _markers_context(episode, today):
    """The markers of the active episode as of today (none for an ended episode)."""
    if episode is None or not episode.is_active:
        return {}
    evaluation = episode_evaluation(episode, today)
    return {
        "evaluation": evaluation,
        "readiness": _readiness_context(evaluation),
        "flags": [(code, FLAG_LABELS[code]) for code in evaluation.flags],
    }


def progress(request, pk):
    client = client_record_open(request, pk)
    ctx = record_context(client, "progress", user=request.user)
    episode, today = ctx["episode"], timezone.localdate()
    ctx.update(_markers_context(episode, today))
    if episode is not None:
        ctx["history"] = episode_history(episode, today)
    decisions = Decision.objects.filter(episode__in=ctx["episodes"]).select_related(
        "episode", "decided_by", "resulting_episode"
    )
    ctx["decisions"] = [(d, evidence_summary(d.evidence)) for d in decisions]
    ctx["today"] = today
    ctx["can_decide"] = episode is not None and episode.is_active and request.user.has_perm("dashboard.add_decision")
    return render(request, "dashboard/progress.html", ctx)


@require_http_methods(["GET", "POST"])
def decision_new(request, pk):
    if not request.user.has_perm("dashboard.add_decision"):
        raise PermissionDenied
    client = client_record_open(request, pk)
    if replay := submission_replay(request):
        return replay
    ctx = record_context(client, "progress", user=request.user)
    episode = ctx["episode"]
    if episode is None or not episode.is_active:
        messages.error(request, "There is no active episode to decide about.")
        return redirect("dashboard:progress", client.pk)
    form = DecisionForm(request.POST or None, episode=episode)
    if request.method == "POST" and form.is_valid():

        def save():
            decision = decision_record(
                episode=episode_for_write(request.user, episode),
                kind=form.cleaned_data["kind"],
                rationale=form.cleaned_data["rationale"],
                by=request.user,
                decided_on=form.cleaned_data["decided_on"],
                end_reason=form.cleaned_data["end_reason"],
                continuing_care_track=form.cleaned_data["continuing_care_track"],
            )
            note = " (an override of the markers)" if decision.is_override else ""
            if decision.kind == Decision.Kind.GRADUATE and decision.resulting_episode is not None:
                note += f" (continuing-care episode {decision.resulting_episode.ref} opened)"
            messages.success(request, f"Decision recorded: {decision.get_kind_display()}{note}.")
            return reverse("dashboard:progress", args=[client.pk])

        try:
            return submit_once(request, save)
        except ValidationError as error:
            form.add_error(None, error)
    ctx.update(_markers_context(episode, timezone.localdate()))
    ctx["form"] = form
    return render(request, "dashboard/decision_new.html", ctx)
