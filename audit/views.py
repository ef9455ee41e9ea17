"""The access log, reviewed inside the app by program admins (and superusers): every event
filterable by user, client, action and period, paged, exported as CSV; and, on each client's
record, who opened it. Both are scoped to the reviewer's sites, and both are access events
themselves (they show MRNs)."""

import csv

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from audit.forms import EventFilterForm
from audit.models import AccessEvent
from audit.queries import about_client, access_events_for, client_mrns
from audit.services import access_event_record, access_list_record
from clients.records import client_record_open, record_context

REVIEW_PERMISSION = "audit.view_accessevent"  # the Program admin group holds it; superusers too
PAGE_SIZE = 50
RECENT_ON_RECORD = 50


def _require_reviewer(user):
    if not user.has_perm(REVIEW_PERMISSION):
        raise PermissionDenied


def _rows(events, mrns):
    """Each event with the MRNs it names that the reviewer may see."""
    rows = []
    for e in events:
        listed = sorted(mrns[pk] for pk in e.client_ids if pk in mrns)
        rows.append({"event": e, "mrn": mrns.get(e.client_id), "listed": listed, "listed_count": len(e.client_ids)})
    return rows


def _shown_ids(events):
    return [pk for e in events for pk in (e.client_id, *e.client_ids) if pk]


def events(request):
    _require_reviewer(request.user)
    if request.method == "POST":  # the filter form: typed MRN → the page by client id (no MRN in the URL)
        form = EventFilterForm(request.POST, reviewer=request.user)
        if form.is_valid():
            query = form.query()
            return redirect(f"{reverse('audit:events')}?{query}" if query else reverse("audit:events"))
    else:
        form = EventFilterForm(request.GET or None, reviewer=request.user)
    page = Paginator(form.apply(access_events_for(request.user)), PAGE_SIZE).get_page(request.GET.get("page"))
    mrns = client_mrns(request.user, page.object_list)
    access_list_record(request=request, client_ids=[pk for pk in _shown_ids(page.object_list) if pk in mrns])
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": _rows(page.object_list, mrns),
        "query": query.urlencode(),
        "client": form.cleaned_data.get("client") if form.is_bound else None,
    }
    return render(request, "audit/events.html", context, status=400 if request.method == "POST" else 200)


CSV_HEADER = ["When", "User", "Action", "Status", "Client MRN", "Clients listed (MRN)", "Clients listed", "Path", "IP"]


def events_csv(request):
    """The filtered events, every page; the export is itself an access event."""
    _require_reviewer(request.user)
    form = EventFilterForm(request.GET or None, reviewer=request.user)
    events = list(form.apply(access_events_for(request.user)))
    mrns = client_mrns(request.user, events)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="access-events-{timezone.localdate():%Y-%m-%d}.csv"'
    response["Cache-Control"] = "no-store, private"
    writer = csv.writer(response)
    writer.writerow(CSV_HEADER)
    for row in _rows(events, mrns):
        e = row["event"]
        writer.writerow(
            [
                timezone.localtime(e.at).isoformat(timespec="seconds"),
                e.user.username,
                e.action,
                e.status_code or "",
                row["mrn"] or "",
                " ".join(row["listed"]),
                row["listed_count"] or "",
                e.path,
                e.ip_address or "",
            ]
        )
    shown = [pk for pk in _shown_ids(events) if pk in mrns]
    access_event_record(request=request, client=None, action=AccessEvent.Action.EXPORT, client_ids=shown)
    return response


def client_events(request, pk):
    """Who opened this record: the latest views, exports and prints of the client's record (app
    and admin pages); the lists that showed the client are one link away, in the access log."""
    client = client_record_open(request, pk)  # out of scope: 404 before the permission check
    _require_reviewer(request.user)
    # Every event about a client the reviewer may see is theirs to see: no further scoping.
    events = AccessEvent.objects.select_related("user").order_by("-at", "-pk")
    opened = about_client(events, client).exclude(action=AccessEvent.Action.LIST)
    log = f"{reverse('audit:events')}?client={client.pk}"
    ctx = record_context(client, "access", user=request.user)
    ctx.update(
        events=list(opened[:RECENT_ON_RECORD]), limit=RECENT_ON_RECORD, all_url=log, lists_url=f"{log}&action=list"
    )
    return render(request, "audit/client.html", ctx)
