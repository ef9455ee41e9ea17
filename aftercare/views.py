"""Continuing care pages: every one opens the client through ``client_record_open`` (scoped to
the user's sites, 404 otherwise, logged); writes need the case manager's or program admin's
permissions (therapists read)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone

from aftercare.forms import FollowUpForm, PlanForm
from aftercare.models import AftercarePlan, FollowUp
from aftercare.queries import client_aftercare, followups_due
from aftercare.services import aftercare_plan_save, followup_record
from audit.models import AccessEvent
from audit.services import access_list_record
from clients.records import client_record_open, episode_open_for, record_context
from iop.errors import StaleEdit
from iop.forms import add_service_errors
from iop.notice import PART2_NOTICE
from iop.pdf import pdf_render, pdf_response
from iop.permissions import perms_require
from iop.submissions import submission_replay, submit_once

PAGE_SIZE = 50
PLAN_WRITE = ("aftercare.add_aftercareplan", "aftercare.change_aftercareplan")
FOLLOWUP_WRITE = ("aftercare.change_followup",)


def client_aftercare_tab(request, client_pk):
    client = client_record_open(request, client_pk)
    context = record_context(client, "aftercare", user=request.user)
    today = timezone.localdate()
    episodes = client_aftercare(request.user, client)
    for followup in (f for e in episodes for f in e.followups_list):
        followup.state_now, followup.state_now_label = followup.state(today), followup.state_label(today)
    context.update(
        aftercare_episodes=episodes,
        can_write=request.user.has_perms(PLAN_WRITE),
    )
    return render(request, "aftercare/client.html", context)


def _plan_of(episode):
    return AftercarePlan.objects.filter(episode=episode).select_related("continuing_care_track").first()


def plan_edit(request, episode_pk):
    """Record the episode's plan, or correct it (the version opened is checked on save)."""
    perms_require(request.user, *PLAN_WRITE)
    episode, context = episode_open_for(request, episode_pk, "aftercare")
    if replay := submission_replay(request):
        return replay
    plan = _plan_of(episode)
    form = PlanForm(request.POST or None, instance=plan, episode=episode)
    if request.method == "POST" and form.is_valid():

        def save():
            aftercare_plan_save(
                episode=episode, fields=form.fields_data(), by=request.user, version=form.cleaned_data["version"]
            )
            messages.success(request, "Aftercare plan saved.")
            return reverse("aftercare:client", args=[episode.client_id])

        try:
            return submit_once(request, save)
        except StaleEdit as stale:
            form, plan = PlanForm(instance=stale.current, episode=episode), stale.current
            messages.error(request, " ".join(stale.messages))
        except ValidationError as error:
            add_service_errors(error, form)
    context.update(form=form, plan=plan)
    return render(request, "aftercare/plan_form.html", context)


def _plan_context(request, episode_pk, action):
    episode, context = episode_open_for(request, episode_pk, "aftercare", action=action)
    plan = get_object_or_404(
        AftercarePlan.objects.select_related("continuing_care_track", "recorded_by", "updated_by"), episode=episode
    )
    # Printed or exported, the plan may leave the program (to the client, a provider): it carries
    # the §2.32 notice, as the record print does.
    context.update(plan=plan, printed_on=timezone.localdate(), part2_notice=PART2_NOTICE)
    return episode, plan, context


def plan_print(request, episode_pk):
    """The plan as a page to print (logged as a print)."""
    _, _, context = _plan_context(request, episode_pk, AccessEvent.Action.PRINT)
    return render(request, "aftercare/plan_print.html", context)


def plan_pdf(request, episode_pk):
    """The plan as a PDF (logged as an export)."""
    episode, _, context = _plan_context(request, episode_pk, AccessEvent.Action.EXPORT)
    pdf = pdf_render("aftercare/plan_pdf.html", context, request)
    return pdf_response(pdf, f"aftercare-plan-{episode.ref}.pdf")


def followup_log(request, followup_pk):
    """Log a follow-up contact (the attempts so far, the client's answers when reached)."""
    perms_require(request.user, *FOLLOWUP_WRITE)
    followup = get_object_or_404(FollowUp.objects.for_user(request.user).select_related("episode"), pk=followup_pk)
    episode, context = episode_open_for(request, followup.episode_id, "aftercare")
    if replay := submission_replay(request):
        return replay
    form = FollowUpForm(request.POST or None, instance=followup)
    if request.method == "POST" and form.is_valid():

        def save():
            followup_record(
                followup=followup, fields=form.fields_data(), by=request.user, version=form.cleaned_data["version"]
            )
            messages.success(request, "Follow-up contact logged.")
            return reverse("aftercare:client", args=[episode.client_id])

        try:
            return submit_once(request, save)
        except StaleEdit as stale:
            form, followup = FollowUpForm(instance=stale.current), stale.current
            messages.error(request, " ".join(stale.messages))
        except ValidationError as error:
            add_service_errors(error, form)
    context.update(form=form, followup=followup, today=timezone.localdate())
    return render(request, "aftercare/followup_form.html", context)


def due(request):
    """Follow-ups due at the user's sites, overdue first; one access event per page.

    Queries: the count, the page (with client, site, case manager), the access event:
    constant in the number of clients."""
    perms_require(request.user, "aftercare.view_followup")
    today = timezone.localdate()
    page = Paginator(followups_due(request.user, today), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(f, f.state(today)) for f in page.object_list]
    access_list_record(request=request, client_ids=[f.episode.client_id for f, _ in rows])
    return render(request, "aftercare/due.html", {"page": page, "rows": rows, "today": today})
