from audit.models import AccessEvent


def access_event_record(*, request, client, action=AccessEvent.Action.VIEW, client_ids=(), status_code=None):
    """Log that ``request.user`` viewed/exported/printed ``client``'s record (``client`` may be
    None for a page or an export that spans many clients: their ids go in ``client_ids``, one
    row whatever their number)."""
    return AccessEvent.objects.create(
        user=request.user,
        client=client,
        action=action,
        path=request.path[:300],
        ip_address=request.META.get("REMOTE_ADDR") or None,
        client_ids=sorted({int(pk) for pk in client_ids}),
        status_code=status_code,
    )


def access_events_record(*, request, clients, action=AccessEvent.Action.EXPORT):
    """One event per client in a single bulk insert (exports of many clients)."""
    ip = request.META.get("REMOTE_ADDR") or None
    events = [
        AccessEvent(user=request.user, client=c, action=action, path=request.path[:300], ip_address=ip) for c in clients
    ]
    return AccessEvent.objects.bulk_create(events)


def access_list_record(*, request, client_ids):
    """A page that shows many clients (a list, a roster, an admin page): ONE event (one INSERT)
    holding the ids of the clients shown."""
    return access_event_record(request=request, client=None, action=AccessEvent.Action.LIST, client_ids=client_ids)


def access_denied_record(*, request, status_code):
    """A refused request: who, which path, which status; nothing of what was asked for."""
    return access_event_record(request=request, client=None, action=AccessEvent.Action.DENIED, status_code=status_code)
