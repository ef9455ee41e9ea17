"""The one way a view opens a client's record: scoped to the user's sites, and logged.

Every tab of the client record (profile, attendance, screens, goals, check-ins, progress)
starts with ``client_record_open``; out-of-scope clients are 404, never a hint they exist.
"""

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
)


def client_record_open(request, client_pk, action=AccessEvent.Action.VIEW):
    client = get_object_or_404(Client.objects.for_user(request.user), pk=client_pk)
    access_event_record(request=request, client=client, action=action)
    return client


def record_context(client, tab):
    """Context every tab template needs: the client, their episodes and the current one.

    Two queries: the episodes (with site, track and staff) — the client is already loaded.
    """
    episodes = list(
        Episode.objects.filter(client=client).select_related("site", "track", "primary_therapist", "case_manager")
    )
    current = next((e for e in episodes if e.is_active), episodes[0] if episodes else None)
    return {"client": client, "episodes": episodes, "episode": current, "active_tab": tab, "record_tabs": RECORD_TABS}
