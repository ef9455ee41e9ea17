"""The Screens tab of the client record, fast screen entry, lab confirmations, prescriptions and
the pending-confirmation work list. Thin: scoped lookup -> form -> service -> redirect."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from audit.services import access_list_record
from clients.models import Client, Episode
from clients.records import client_record_open, episode_chosen, record_context
from iop.forms import add_service_errors
from iop.permissions import perms_require
from iop.submissions import submission_replay, submit_once
from screening import services
from screening.forms import (
    ConfirmationForm,
    NoResultForm,
    PrescriptionEndForm,
    PrescriptionForm,
    ScreenEntryForm,
    ScreenErrorForm,
)
from screening.interpretation import (
    PrescriptionFact,
    blind_spot_message,
    explained_analytes,
    panel_blind_spots,
)
from screening.models import Panel, Prescription, Screen, ScreenResult
from screening.queries import pending_results, screen_invalid_reason, screen_summary


def _panels():
    return list(Panel.objects.filter(active=True).prefetch_related("analytes"))


def _chosen_panel(panels, panel_id):
    chosen = next((p for p in panels if str(p.pk) == str(panel_id)), None)
    return chosen or next((p for p in panels if p.name == "12-panel cup"), panels[0] if panels else None)


def _findings(screen, on, prescriptions):
    """The non-negative results of a screen, each marked ``explained`` when a prescription
    active on the collection day accounts for it."""
    found = [r for r in screen.results.all() if r.result != ScreenResult.Result.NEGATIVE]
    for r in found:
        r.explained = any(p.analyte_id == r.analyte_id and p.active_on(on) for p in prescriptions)
    return found


def _timeline(episode, prescriptions):
    """Rows for the timeline of ``episode`` plus its streak figures (3 queries)."""
    summary = screen_summary(episode, timezone.localdate())
    items = summary.items
    rows = [
        {
            "on": on,
            "screen": screen,
            "interpretation": interp,
            "invalid_reason": screen_invalid_reason(screen),
            "findings": _findings(screen, on, prescriptions),
        }
        for on, interp, screen in items
    ]
    return {
        "rows": rows,
        "streak": summary.streak,
        "last_unexpected": summary.last_unexpected,
        "days_since_unexpected": summary.days_since_unexpected,
    }


def _prescription_facts(prescriptions):
    return [PrescriptionFact(p.analyte.code, p.start, p.end) for p in prescriptions if not p.entered_in_error]


def _blind_spots(panel_codes, facts, on):
    """The sentences saying what a panel with ``panel_codes`` cannot answer for the client on ``on``."""
    missing = panel_blind_spots(panel_analytes=panel_codes, prescriptions=facts, on=on)
    return [blind_spot_message(code) for code in missing]


def _mark_blind_spots(rows, facts):
    """Add to each completed screen's row what its panel could not answer (one query)."""
    panel_ids = {row["screen"].panel_id for row in rows if row["screen"].panel_id}
    codes = {pk: set() for pk in panel_ids}
    if panel_ids:
        for panel_id, code in Panel.analytes.through.objects.filter(panel_id__in=panel_ids).values_list(
            "panel_id", "analyte__code"
        ):
            codes[panel_id].add(code)
    for row in rows:
        screen = row["screen"]
        completed = screen.outcome == Screen.Outcome.COMPLETED and screen.panel_id
        row["blind_spots"] = _blind_spots(codes[screen.panel_id], facts, row["on"]) if completed else []


def _tab(request, client, *, entry_form=None, no_result_form=None, rx_form=None, status=200):
    ctx = record_context(client, "screens", user=request.user)
    episode = episode_chosen(request, ctx)
    user = request.user
    today = timezone.localdate()
    prescriptions = list(Prescription.objects.filter(client=client).select_related("analyte"))
    facts = _prescription_facts(prescriptions)
    can_record = episode is not None and episode.is_active and user.has_perm("screening.add_screen")
    panels = _panels() if can_record else []
    panel = entry_form.panel if entry_form else _chosen_panel(panels, request.GET.get("panel"))
    if can_record:
        if panel is not None:
            entry_form = entry_form or ScreenEntryForm(panel=panel, explained=explained_analytes(facts, today))
        no_result_form = no_result_form or NoResultForm()
    else:
        entry_form = no_result_form = None
    can_prescribe = user.has_perm("screening.add_prescription")
    if can_prescribe and rx_form is None:
        rx_form = PrescriptionForm(initial={"start": today})
    timeline = _timeline(episode, prescriptions)
    _mark_blind_spots(timeline["rows"], facts)
    panel_codes = [a.code for a in panel.analytes.all()] if entry_form is not None else []
    ctx.update(
        timeline,
        panel_blind_spots=_blind_spots(panel_codes, facts, today) if entry_form is not None else [],
        panels=panels,
        panel=panel,
        entry_form=entry_form,
        no_result_form=no_result_form,
        rx_form=rx_form if can_prescribe else None,
        can_prescribe=can_prescribe,
        can_confirm=user.has_perm("screening.change_screenresult"),
        can_correct=user.has_perm("screening.change_screen"),
        prescriptions=prescriptions,
        today=today,
    )
    return render(request, "screening/client.html", ctx, status=status)


@require_GET
def client(request, pk):
    client = client_record_open(request, pk)
    return _tab(request, client)


@require_POST
def record(request, pk):
    """Save a screen from the fast entry form (completed) or the refused / missed buttons."""
    perms_require(request.user, "screening.add_screen")
    client = client_record_open(request, pk)
    outcome = request.POST.get("outcome", Screen.Outcome.COMPLETED)
    tab_url = reverse("screening:client", args=[client.pk])
    if outcome not in (Screen.Outcome.COMPLETED, *NoResultForm.OUTCOMES):  # never saved as "completed"
        messages.error(request, "The screen was not saved: choose completed, refused or missed.")
        return _tab(request, client, status=400)
    episode = Episode.objects.for_user(request.user).active().filter(client=client).first()
    if episode is None:
        messages.error(request, "This client has no active episode: screens are recorded during an episode.")
        return redirect(tab_url)
    if outcome in NoResultForm.OUTCOMES:
        form = NoResultForm(request.POST)
        forms_kwargs = {"no_result_form": form}
    else:
        panel_id = request.POST.get("panel", "")
        panel = get_object_or_404(Panel.objects.prefetch_related("analytes"), pk=panel_id if panel_id.isdigit() else 0)
        facts = _prescription_facts(Prescription.objects.filter(client=client).select_related("analyte"))
        form = ScreenEntryForm(request.POST, panel=panel, explained=explained_analytes(facts, timezone.localdate()))
        forms_kwargs = {"entry_form": form}
    if form.is_valid():
        if outcome in NoResultForm.OUTCOMES:
            kwargs = {
                "collected_at": form.cleaned_data["collected_at"],
                "outcome": outcome,
                "reason": form.cleaned_data["reason"],
            }
        else:
            kwargs = form.service_kwargs()
        try:
            screen = services.screen_record(episode=episode, by=request.user, **kwargs)
        except ValidationError as exc:
            add_service_errors(exc, form)
        else:
            when = timezone.localtime(screen.collected_at)
            messages.success(
                request, f"Screen of {when:%m/%d/%Y %H:%M} saved ({screen.get_outcome_display().lower()})."
            )
            return redirect(tab_url)
    messages.error(request, "The screen was not saved: see the errors below.")
    return _tab(request, client, status=400, **forms_kwargs)


def _back(request, client_pk):
    """Back to the page the form was on (``next``: a path on this host only), else the Screens
    tab. Never ``redirect(next)``: it would take ``next=ab`` for a URL name and fail."""
    nxt = request.POST.get("next", "")
    if nxt.startswith("/") and url_has_allowed_host_and_scheme(
        nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(nxt)
    return redirect("screening:client", pk=client_pk)


def _scoped_result(request, result_pk):
    return get_object_or_404(
        ScreenResult.objects.select_related("screen__episode", "analyte").filter(
            screen__episode__in=Episode.objects.for_user(request.user)
        ),
        pk=result_pk,
    )


@require_POST
def result_send(request, result_pk):
    perms_require(request.user, "screening.change_screenresult")
    result = _scoped_result(request, result_pk)
    try:
        services.result_send_for_confirmation(result=result, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{result.analyte.code} sent to the lab for confirmation.")
    return _back(request, result.screen.episode.client_id)


@require_POST
def result_confirm(request, result_pk):
    perms_require(request.user, "screening.change_screenresult")
    result = _scoped_result(request, result_pk)
    form = ConfirmationForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, "The lab result was not saved: " + " ".join(e for es in form.errors.values() for e in es)
        )
        return _back(request, result.screen.episode.client_id)
    try:
        services.result_confirm(
            result=result,
            confirmation=form.cleaned_data["confirmation"],
            confirmed_on=form.cleaned_data["confirmed_on"],
            seen=form.cleaned_data["seen"] or None,
            by=request.user,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        label = dict(form.fields["confirmation"].choices)[form.cleaned_data["confirmation"]]
        messages.success(request, f"{result.analyte.code}: {label.lower()} by the lab.")
    return _back(request, result.screen.episode.client_id)


@require_POST
def prescription_add(request, pk):
    perms_require(request.user, "screening.add_prescription")
    client = client_record_open(request, pk)
    if replay := submission_replay(request):
        return replay
    form = PrescriptionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        tab_url = reverse("screening:client", args=[client.pk])

        def save():
            services.prescription_add(
                client=client,
                analyte=data["analyte"],
                medication=data["medication"],
                start=data["start"],
                end=data.get("end"),
                prescriber=data.get("prescriber", ""),
                by=request.user,
            )
            messages.success(request, f"Prescription {data['medication']} added.")
            return tab_url

        try:
            return submit_once(request, save)
        except ValidationError as exc:
            add_service_errors(exc, form)
    messages.error(request, "The prescription was not saved: see the errors below.")
    return _tab(request, client, rx_form=form, status=400)


def _scoped_prescription(request, rx_pk):
    return get_object_or_404(
        Prescription.objects.filter(client__in=Client.objects.for_user(request.user)).select_related("analyte"),
        pk=rx_pk,
    )


@require_POST
def prescription_end(request, rx_pk):
    perms_require(request.user, "screening.change_prescription")
    rx = _scoped_prescription(request, rx_pk)
    form = PrescriptionEndForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the date the prescription ended.")
        return _back(request, rx.client_id)
    try:
        services.prescription_end(prescription=rx, end=form.cleaned_data["end"], by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{rx.medication} ends on {form.cleaned_data['end']:%m/%d/%Y}.")
    return _back(request, rx.client_id)


@require_POST
def prescription_error(request, rx_pk):
    perms_require(request.user, "screening.change_prescription")
    rx = _scoped_prescription(request, rx_pk)
    services.prescription_mark_error(prescription=rx, by=request.user)
    messages.success(request, f"{rx.medication} marked entered in error: it no longer explains any positive.")
    return _back(request, rx.client_id)


@require_POST
def screen_error(request, screen_pk):
    perms_require(request.user, "screening.change_screen")
    screen = get_object_or_404(
        Screen.objects.select_related("episode").filter(episode__in=Episode.objects.for_user(request.user)),
        pk=screen_pk,
    )
    form = ScreenErrorForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The screen was not marked: " + " ".join(form.errors["reason"]))
        return redirect("screening:client", pk=screen.episode.client_id)
    try:
        services.screen_mark_error(screen=screen, by=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        when = timezone.localtime(screen.collected_at)
        messages.success(request, f"Screen of {when:%m/%d/%Y %H:%M} marked entered in error.")
    return redirect("screening:client", pk=screen.episode.client_id)


@require_GET
def pending(request):
    """Results sent to the lab and not back yet, oldest first, at the user's sites."""
    today = timezone.localdate()
    rows = [
        {
            "result": r,
            "screen": r.screen,
            "client": r.screen.episode.client,
            "waiting": (today - (r.confirmation_sent_on or timezone.localdate(r.screen.collected_at))).days,
        }
        for r in pending_results(request.user)
    ]
    access_list_record(request=request, client_ids=[row["client"].pk for row in rows])
    return render(
        request,
        "screening/pending.html",
        {
            "rows": rows,
            "today": today,
            "next": reverse("screening:pending"),
            "can_confirm": request.user.has_perm("screening.change_screenresult"),
        },
    )
