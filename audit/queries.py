"""Reads of the access log for the in-app review: scoped to the reviewer's sites."""

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q

from audit.models import AccessEvent
from clients.models import Client
from programs.models import Site


def access_events_for(user):
    """The events a reviewer may see (superusers: all).

    An event about one client: when that client is one of the reviewer's (an episode at one of
    their sites). An event without one (a list page, the report, a denied attempt): when it
    lists one of the reviewer's clients, or was made by a user who shares one of their sites.
    """
    events = AccessEvent.objects.select_related("user").order_by("-at", "-pk")
    if user.is_superuser:
        return events
    mine = Client.objects.for_user(user).values("pk")
    colleague = Exists(Site.objects.filter(staff=user).filter(staff=OuterRef("user_id")))
    return events.filter(Q(client__in=mine) | Q(client__isnull=True) & (Q(client_ids__lists_any=mine) | colleague))


def about_client(events, client):
    """Events that opened ``client``'s record or showed them on a page."""
    return events.filter(Q(client=client) | Q(client_ids__lists=client.pk))


def reviewers_choices(user):
    """The users whose events the reviewer can filter by: staff of the reviewer's sites."""
    users = get_user_model().objects.order_by("username")
    return users if user.is_superuser else users.filter(sites__in=Site.objects.for_user(user)).distinct()


def client_mrns(user, events):
    """{client id: MRN} for the clients of ``events`` that the reviewer may see (one query)."""
    ids = {pk for e in events for pk in (e.client_id, *e.client_ids) if pk}
    if not ids:
        return {}
    return dict(Client.objects.for_user(user).filter(pk__in=ids).values_list("pk", "mrn"))
