"""The one way a view opens a client's record: scoped to the user's sites, and logged.

Every tab of the client record (profile, attendance, screens, goals, check-ins, progress)
starts with ``client_record_open``; out-of-scope clients are 404, never a hint they exist.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404

from audit.models import AccessEvent
from audit.services import access_event_record
from clients.models import Client, Episode

# (url name, label, key): the tabs of the client record, each owned by its app.
RECORD_TABS = (
    ("clients:detail", "Profile & episodes", "profile"),
    ("attendance:client", "Attendance", "attendance"),
    ("screening:client", "Screens", "screens"),
    ("goals:client", "Goals", "goals"),
    ("checkins:client", "Check-ins", "checkins"),
    ("dashboard:progress", "Progress", "progress"),
    ("consents:client", "Consents", "consents"),
    ("aftercare:client", "Aftercare", "aftercare"),
)


def client_record_open(request, client_pk, action=AccessEvent.Action.VIEW):
    client = get_object_or_404(Client.objects.for_user(request.user), pk=client_pk)
    access_event_record(request=request, client=client, action=action)
    return client


def record_context(client, tab, *, user):
    """Context every tab template needs: the client, their episodes at ``user``'s sites and the
    current one. An episode at another site is not shown, so no tab reads or writes it.

    One query: the episodes (with site, track and staff) — the client is already loaded.
    """
    episodes = list(
        Episode.objects.for_user(user)
        .filter(client=client)
        .select_related("site", "track", "primary_therapist", "case_manager")
    )
    current = next((e for e in episodes if e.is_active), episodes[0] if episodes else None)
    return {"client": client, "episodes": episodes, "episode": current, "active_tab": tab, "record_tabs": RECORD_TABS}


def episode_chosen(request, ctx):
    """The episode ``?episode=<pk>`` names among ``ctx["episodes"]`` (the user's sites only), else
    the current one; it becomes ``ctx["episode"]``. The tabs with an episode switcher
    (``clients/_episode_switcher.html``) call this: no query, a stranger's pk is ignored."""
    wanted = request.GET.get("episode", "")
    episode = next((e for e in ctx["episodes"] if str(e.pk) == wanted), ctx["episode"])
    ctx["episode"] = episode
    return episode


def episode_for_write(user, episode):
    """``episode`` if it is at one of ``user``'s sites, else 404: every write checks this, so a
    client seen through one site's episode is never written to through another site's."""
    if episode is None or not Episode.objects.for_user(user).filter(pk=episode.pk).exists():
        raise Http404("No episode at your sites.")
    return episode


def episode_open_for(request, episode_pk, tab, action=AccessEvent.Action.VIEW):
    """An episode of the user's sites (404 otherwise) and its client's record context, opened
    (logged): (episode, ctx) with ``ctx["episode"]`` the episode asked for."""
    episode = get_object_or_404(Episode.objects.for_user(request.user), pk=episode_pk)
    client = client_record_open(request, episode.client_id, action=action)
    ctx = record_context(client, tab, user=request.user)
    episode = next(e for e in ctx["episodes"] if e.pk == episode.pk)
    ctx["episode"] = episode
    return episode, ctx
