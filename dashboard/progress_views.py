"""The client record's Progress tab (markers explained, charts, decisions) and recording a decision."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods

from clients.care_history import continued_from
from clients.records import client_record_open, episode_chosen, episode_for_write, record_context
from dashboard.forms import DecisionForm
from dashboard.history import episode_history, evidence_summary
from dashboard.markers import FLAG_LABELS, RECOMMENDATION_WORDS, STATUS_LABELS, explain
from dashboard.models import Decision
from dashboard.queries import episode_evaluation
from dashboard.services import decision_record
from dashboard.snapshots import current_evaluation, current_history
from dashboard.views import READINESS_BADGE
from iop.submissions import submission_replay, submit_once

# The decisions that end the episode they are about.
ENDING_KINDS = {Decision.Kind.STEP_DOWN, Decision.Kind.STEP_UP, Decision.Kind.GRADUATE, Decision.Kind.DISCHARGE}
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


# What a decision that ends an episode did, in the words of "Decision: stepped down on …".
DECISION_VERBS = {
    Decision.Kind.STEP_DOWN: "stepped down",
    Decision.Kind.STEP_UP: "stepped up",
    Decision.Kind.GRADUATE: "graduated",
    Decision.Kind.DISCHARGE: "discharged",
    Decision.Kind.CONTINUE: "continued",
}
PERCENT_CRITERIA = {"attendance_rate", "goals_on_track"}


def _linked(words, links):
    """``words`` (plain text, escaped here) with the phrase naming each record made a link to it;
    a phrase not found in the words is added after them, so the link is never lost."""
    html = escape(words)
    extra = []
    for phrases, url in links:
        found = next((p for p in phrases if escape(p) in html), None)
        if found is None:
            extra.append(format_html('<a href="{}">{}</a>', url, phrases[0]))
        else:
            html = html.replace(escape(found), format_html('<a href="{}">{}</a>', url, found), 1)
    if extra:
        html += " (" + ", ".join(extra) + ")"
    return mark_safe(html)  # noqa: S308 (every part escaped above)  # nosec B308 B703


def _episode_on(day, episode, episodes):
    """The episode whose record holds ``day``'s screen: the shown one, else the one it continues."""
    if episode.covers(day):
        return episode
    return next((e for e in episodes if e.pk != episode.pk and e.covers(day)), episode)


def _record_links(criterion, episode, episodes):
    """[(phrases, url)]: the worksheet, check-in or screen the criterion relied on (from its
    detail), each a page of the record: the worksheet of that week, the signed check-in, the
    screen's row on the Screens tab."""
    d = criterion.detail or {}
    links = []
    if criterion.name == "goals_on_track" and (week := d.get("worksheet_week")):
        url = f"{reverse('goals:worksheet', args=[episode.pk])}?week={week:%Y-%m-%d}"
        links.append(((f"worksheet of week {week:%m/%d/%Y}", f"{week:%m/%d/%Y}"), url))
    elif criterion.name == "recommendation" and (week := d.get("latest_week")):
        url = reverse("checkins:week", args=[episode.pk, f"{week:%Y-%m-%d}"])
        links.append(((f"check-in, week of {week:%m/%d/%Y}", f"week of {week:%m/%d/%Y}", f"{week:%m/%d/%Y}"), url))
    elif criterion.name == "negative_streak" and (day := d.get("last_screen_on")):
        held_by = _episode_on(day, episode, episodes)
        url = f"{reverse('screening:client', args=[episode.client_id])}?episode={held_by.pk}#screens-{day:%Y-%m-%d}"
        links.append(((f"last screen on {day:%m/%d/%Y}", f"{day:%m/%d/%Y}"), url))
    return links


def _readiness_context(evaluation, *, episode=None, episodes=()):
    """[(title, readiness, badge class, [(label, criterion, words)])] for the template; with
    ``episode``, the words link the records the criteria relied on (the Progress tab)."""

    def words(c):
        text = explain(c)
        return _linked(text, _record_links(c, episode, episodes)) if episode is not None else text

    return [
        (
            title,
            readiness,
            READINESS_BADGE[readiness.status],
            [(CRITERION_LABELS.get(c.name, c.name), c, words(c)) for c in readiness.criteria],
        )
        for title, readiness in (("Step-down", evaluation.step_down), ("Graduation", evaluation.graduation))
    ]


def _cached(episode, as_of):
    """Whether ``episode``'s markers and history as of ``as_of`` are read through their snapshots:
    an active episode as of today (what the caseload shows), not an ended one's last day."""
    return episode.is_active and as_of == timezone.localdate()


def _markers_context(episode, as_of, *, episodes=None):
    """The markers of ``episode`` as of ``as_of`` (today, or an ended episode's last day)."""
    if episode is None:
        return {}
    # the caseload's snapshot, when current
    evaluation = current_evaluation(episode, as_of) if _cached(episode, as_of) else episode_evaluation(episode, as_of)
    linked = {"episode": episode, "episodes": episodes} if episodes is not None else {}
    return {
        "evaluation": evaluation,
        "readiness": _readiness_context(evaluation, **linked),
        "flags": [(code, FLAG_LABELS[code]) for code in evaluation.flags],
    }


def _evidence_value(name, value):
    if value is None:
        return "—"
    if isinstance(value, list | tuple):
        return " or ".join(_evidence_value(name, v) for v in value)
    if name in PERCENT_CRITERIA and isinstance(value, int | float) and not isinstance(value, bool):
        return f"{round(value * 100)}%"
    if isinstance(value, str):
        return RECOMMENDATION_WORDS.get(value, value.replace("_", " "))
    return str(value)


def _evidence_context(evidence):
    """The markers snapshot stored on a decision, for its table: as of, readiness and each
    criterion as recorded (measured, required, met), the flags."""
    if not evidence or "markers" not in evidence:
        return None
    readiness = []
    for title, key in (("Step-down", "step_down"), ("Graduation", "graduation")):
        part = evidence.get(key) or {}
        status = part.get("status", "")
        criteria = [
            {
                "label": CRITERION_LABELS.get(c.get("name"), c.get("name")),
                "measured": _evidence_value(c.get("name"), c.get("measured")),
                "required": _evidence_value(c.get("name"), c.get("required")),
                "met": bool(c.get("met")),
            }
            for c in part.get("criteria") or ()
        ]
        readiness.append({"title": title, "status": STATUS_LABELS.get(status, status), "criteria": criteria})
    as_of = evidence.get("as_of")
    return {
        "as_of": dt.date.fromisoformat(as_of) if as_of else None,
        "readiness": readiness,
        "flags": [FLAG_LABELS.get(f, f) for f in evidence.get("flags") or ()],
        "summary": evidence_summary(evidence),
    }


def _decision_context(decision):
    if decision is None:
        return None
    return {
        "decision": decision,
        "verb": DECISION_VERBS.get(decision.kind, decision.get_kind_display().lower()),
        "evidence": _evidence_context(decision.evidence),
    }


def _ending_decision(decisions, episode):
    """The decision that ended ``episode`` (dated its last day), from the loaded ``decisions``
    (newest first); None for an open episode or one ended without a decision (e.g. imported)."""
    if episode is None or episode.ended_on is None:
        return None
    ending = [d for d in decisions if d.episode_id == episode.pk and d.kind in ENDING_KINDS]
    return next((d for d in ending if d.decided_on == episode.ended_on), ending[0] if ending else None)


def progress(request, pk):
    """The Progress tab of one episode (the switcher's ``?episode=``, else the current one):
    an active episode's markers as of today; an ended episode's as of its last day, with the
    decision that ended it and the evidence stored on it. A stay that continues (a step-down's
    outpatient episode) links the episode it continues, and the other way round.

    Queries: the record (client, access event, episodes), the markers, the history, the
    decisions of the episodes shown — whatever the number of weeks or episodes."""
    client = client_record_open(request, pk)
    ctx = record_context(client, "progress", user=request.user)
    episode, today = episode_chosen(request, ctx), timezone.localdate()
    episodes = ctx["episodes"]
    decisions = list(
        Decision.objects.filter(episode__in=episodes).select_related("episode", "decided_by", "resulting_episode")
    )
    if episode is not None:
        as_of = min(today, episode.ended_on) if episode.ended_on else today
        ctx.update(_markers_context(episode, as_of, episodes=episodes))
        history = current_history(episode, as_of) if _cached(episode, as_of) else episode_history(episode, as_of)
        ending = _ending_decision(decisions, episode)
        previous = continued_from(episode, episodes)
        following = next((e for e in episodes if continued_from(e, episodes) == episode), None)
        ctx.update(
            as_of=as_of,
            history=history,
            history_empty=not (
                any(w["hours"] for w in history["hours"])
                or history["screens"]
                or history["ratings"]
                or history["checkins"]
            ),
            ending=_decision_context(ending),
            continues_from=previous,
            continues_from_decision=_decision_context(_ending_decision(decisions, previous)),
            continued_by=following,
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
                weekly_hours=form.cleaned_data["weekly_hours"],
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
