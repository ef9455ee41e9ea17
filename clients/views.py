from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms.models import model_to_dict
from django.shortcuts import redirect, render

from audit.services import access_list_record
from clients.care_history import care_history
from clients.forms import ClientEditForm, ClientFilterForm, ClientForm, EpisodeForm, IntakeClientForm
from clients.queries import client_search, clients_with_current_episode, level_of_care_history, profile_history
from clients.records import client_record_open, record_context
from clients.services import client_history_marker, client_intake, client_update, episode_open
from iop.errors import StaleEdit
from iop.forms import add_service_errors
from iop.permissions import perms_require
from iop.submissions import submission_replay, submit_once

PAGE_SIZE = 25
# What a readmission form starts from: the last episode's assignment.
READMIT_FROM_LAST_EPISODE = [
    "site",
    "track",
    "level_of_care",
    "primary_therapist",
    "case_manager",
    "required_weekly_hours",
]


def client_list(request):
    form = ClientFilterForm(request.GET or None, user=request.user)
    filters = form.filters() if form.is_bound else {}
    clients = client_search(
        request.user,
        q=filters.get("q") or "",
        site=filters.get("site"),
        track=filters.get("track"),
        status=filters.get("status") or "",
    )
    page = Paginator(clients, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = clients_with_current_episode(list(page.object_list))
    access_list_record(request=request, client_ids=[c.pk for c in page.object_list])
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "clients/list.html", {"form": form, "page": page, "query": query.urlencode()})


def intake(request):
    """One form: the client's profile and their first episode."""
    perms_require(request.user, "clients.add_client")
    if replay := submission_replay(request):
        return replay
    client_form = IntakeClientForm(request.POST or None, user=request.user, prefix="client")
    episode_form = EpisodeForm(request.POST or None, user=request.user, prefix="episode")
    if request.method == "POST":
        valid = [client_form.is_valid(), episode_form.is_valid()]  # both, so every error shows
        if all(valid):

            def save():
                client, _ = client_intake(
                    client_fields={name: client_form.cleaned_data[name] for name in ClientForm.Meta.fields},
                    episode_fields=episode_form.service_fields(),
                    by=request.user,
                )
                messages.success(request, f"{client.full_name} was admitted with MRN {client.mrn}.")
                return client.get_absolute_url()

            try:
                return submit_once(request, save)
            except ValidationError as error:
                add_service_errors(error, client_form, episode_form)
    return render(request, "clients/intake.html", {"client_form": client_form, "episode_form": episode_form})


def detail(request, pk):
    """The Profile & episodes tab."""
    client = client_record_open(request, pk)
    ctx = record_context(client, "profile", user=request.user)
    current = ctx["episode"]
    level_changes = level_of_care_history(client, ctx["episodes"])
    ctx.update(
        past_episodes=[e for e in ctx["episodes"] if e is not current],
        level_changes=level_changes,
        care_events=care_history(ctx["episodes"], level_changes),
        profile_changes=profile_history(client),
        can_edit=request.user.has_perm("clients.change_client"),
        can_readmit=request.user.has_perm("clients.add_episode") and not (current and current.is_active),
    )
    return render(request, "clients/detail.html", ctx)


def edit(request, pk):
    """Edit the profile. The form carries the latest history row it was opened on, so a
    concurrent change is reported instead of overwritten."""
    client = client_record_open(request, pk)  # out of scope: 404 before any permission check
    perms_require(request.user, "clients.change_client")
    initial = {**model_to_dict(client, fields=ClientForm.Meta.fields), "version": client_history_marker(client)}
    form = ClientEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if not form.has_changed():
            messages.info(request, "Nothing was changed.")
            return redirect(client)
        try:
            client_update(
                client=client,
                fields={name: form.cleaned_data[name] for name in form.changed_data if name != "version"},
                seen=form.cleaned_data["version"],
                by=request.user,
            )
        except StaleEdit as error:
            client.refresh_from_db()
            fresh = {**model_to_dict(client, fields=ClientForm.Meta.fields), "version": client_history_marker(client)}
            form = ClientEditForm(initial=fresh)
            form.stale_message = error.messages[0]
        except ValidationError as error:
            add_service_errors(error, form)
        else:
            messages.success(request, "The profile was saved.")
            return redirect(client)
    ctx = record_context(client, "profile", user=request.user)
    ctx["form"] = form
    return render(request, "clients/edit.html", ctx)


def readmit(request, pk):
    """Open a new episode for a client whose last episode has ended."""
    client = client_record_open(request, pk)  # out of scope: 404 before any permission check
    perms_require(request.user, "clients.add_episode")
    ctx = record_context(client, "profile", user=request.user)
    active = ctx["episode"] if ctx["episode"] and ctx["episode"].is_active else None
    last = ctx["episodes"][0] if ctx["episodes"] else None
    initial = {}
    if last:
        initial = model_to_dict(last, fields=READMIT_FROM_LAST_EPISODE)
    form = EpisodeForm(request.POST or None, user=request.user, client=client, initial=initial, prefix="episode")
    if request.method == "POST" and not active and form.is_valid():
        try:
            episode_open(client=client, by=request.user, **form.service_fields())
        except ValidationError as error:
            add_service_errors(error, form)
        else:
            messages.success(request, f"{client.full_name} was readmitted.")
            return redirect(client)
    ctx.update(form=form, active_episode=active)
    return render(request, "clients/readmit.html", ctx)
