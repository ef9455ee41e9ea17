from django.db import transaction

from audit import chain
from audit.models import AccessEvent, Signature


@transaction.atomic(savepoint=False)  # inside the caller's transaction when there is one
def access_event_record(*, request, client, action=AccessEvent.Action.VIEW, client_ids=(), status_code=None):
    """Log that ``request.user`` viewed/exported/printed ``client``'s record (``client`` may be
    None for a page or an export that spans many clients: their ids go in ``client_ids``, one
    row whatever their number)."""
    event = AccessEvent(
        user=request.user,
        client=client,
        action=action,
        path=request.path[:300],
        ip_address=request.META.get("REMOTE_ADDR") or None,
        client_ids=sorted({int(pk) for pk in client_ids}),
        status_code=status_code,
    )
    event.save()  # unsealed: sealed right after the transaction commits (audit/chain.py)
    chain.seal_after_commit()
    return event


@transaction.atomic(savepoint=False)  # inside the caller's transaction when there is one
def access_events_record(*, request, clients, action=AccessEvent.Action.EXPORT):
    """One event per client in a single bulk insert (exports of many clients)."""
    ip = request.META.get("REMOTE_ADDR") or None
    events = [
        AccessEvent(user=request.user, client=c, action=action, path=request.path[:300], ip_address=ip) for c in clients
    ]
    return access_events_insert(events)


@transaction.atomic(savepoint=False)
def access_events_insert(events):
    """Insert unsaved ``events`` in bulk, unsealed; sealed once the transaction commits."""
    events = AccessEvent.objects.bulk_create(events)
    chain.seal_after_commit()
    return events


def access_list_record(*, request, client_ids):
    """A page that shows many clients (a list, a roster, an admin page): ONE event (one INSERT)
    holding the ids of the clients shown."""
    return access_event_record(request=request, client=None, action=AccessEvent.Action.LIST, client_ids=client_ids)


def access_denied_record(*, request, status_code):
    """A refused request: who, which path, which status; nothing of what was asked for."""
    return access_event_record(request=request, client=None, action=AccessEvent.Action.DENIED, status_code=status_code)


@transaction.atomic(savepoint=False)  # inside the caller's transaction when there is one
def signatures_record(*, records):
    """Enter signed ``records`` (sessions, check-ins: with ``signature_sha256`` set) in the
    signature chain, in order: one row each."""
    rows = [
        Signature(
            record_type=r._meta.label_lower,
            record_pk=r.pk,
            sha256=r.signature_sha256,
            signed_by_id=r.signer_id,
            signed_at=r.signed_when,
        )
        for r in records
    ]
    return Signature.objects.bulk_create(chain.link(rows))
