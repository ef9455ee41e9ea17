from audit.models import AccessEvent


def access_event_record(*, request, client, action=AccessEvent.Action.VIEW):
    """Log that ``request.user`` viewed/exported/printed ``client``'s record (``client`` may be
    None for an export that spans many clients)."""
    return AccessEvent.objects.create(
        user=request.user,
        client=client,
        action=action,
        path=request.path[:300],
        ip_address=request.META.get("REMOTE_ADDR") or None,
    )


def access_events_record(*, request, clients, action=AccessEvent.Action.EXPORT):
    """One event per client in a single bulk insert (exports of many clients)."""
    ip = request.META.get("REMOTE_ADDR") or None
    events = [
        AccessEvent(user=request.user, client=c, action=action, path=request.path[:300], ip_address=ip) for c in clients
    ]
    return AccessEvent.objects.bulk_create(events)
