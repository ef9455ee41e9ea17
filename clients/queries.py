"""Reads over many clients, in a fixed number of queries."""

from django.db.models import Case, IntegerField, OuterRef, Q, Subquery, Value, When

from clients.models import Client, Episode, LevelOfCareChange


def _current_episodes():
    """Per client (OuterRef "pk"): the active episode, else the latest one."""
    return Episode.objects.filter(client=OuterRef("pk")).order_by(
        Case(When(status=Episode.Status.ACTIVE, then=Value(0)), default=Value(1), output_field=IntegerField()),
        "-admitted_on",
        "-pk",
    )


def client_search(user, *, q="", site=None, track=None, status=""):
    """The user's clients, each annotated with ``current_episode_id``, filtered by a search
    on name or MRN (every word must match) and by the site, track and status of the current
    episode. One query when evaluated (count + page slice when paginated)."""
    current = _current_episodes()
    clients = Client.objects.for_user(user).annotate(
        current_episode_id=Subquery(current.values("pk")[:1]),
        current_site_id=Subquery(current.values("site_id")[:1]),
        current_track_id=Subquery(current.values("track_id")[:1]),
        current_status=Subquery(current.values("status")[:1]),
    )
    for word in q.split():
        clients = clients.filter(
            Q(mrn__icontains=word)
            | Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(preferred_name__icontains=word)
        )
    if site is not None:
        clients = clients.filter(current_site_id=site.pk)
    if track is not None:
        clients = clients.filter(current_track_id=track.pk)
    if status:
        clients = clients.filter(current_status=status)
    return clients


def clients_with_current_episode(clients):
    """Attach ``.current_episode`` (with site, track and staff) to each client of a page:
    one query for the whole page."""
    ids = [c.current_episode_id for c in clients if c.current_episode_id]
    episodes = {}
    if ids:
        episodes = Episode.objects.select_related("site", "track", "primary_therapist", "case_manager").in_bulk(ids)
    for c in clients:
        c.current_episode = episodes.get(c.current_episode_id)
    return clients


def possible_duplicates(user, *, first_name, last_name, date_of_birth, exclude_pk=None):
    """Clients the user can see with the same name and date of birth (case-insensitive).

    Only the user's own sites are searched, so a duplicate check never reveals that a person
    is a client at another site (42 CFR Part 2)."""
    found = Client.objects.for_user(user).filter(
        first_name__iexact=first_name.strip(), last_name__iexact=last_name.strip(), date_of_birth=date_of_birth
    )
    if exclude_pk:
        found = found.exclude(pk=exclude_pk)
    return list(found)


def level_of_care_history(client, episodes=None):
    """Every level-of-care row of the client's episodes (only those of ``episodes`` when given:
    the user's sites), oldest first (one query)."""
    rows = LevelOfCareChange.objects.filter(episode__client=client)
    if episodes is not None:
        rows = rows.filter(episode__in=[e.pk for e in episodes])
    return list(rows.select_related("episode", "changed_by").order_by("effective_on", "pk"))


def profile_history(client, limit=10):
    """The latest changes to the client's profile: (record, changed fields) pairs, newest first.

    One query: ``limit + 1`` history rows, each diffed against the next older one in Python."""
    rows = list(client.history.select_related("history_user").order_by("-history_id")[: limit + 1])
    changes = []
    for newer, older in zip(rows, [*rows[1:], None][: len(rows)], strict=True):
        if older is None:
            if len(rows) <= limit:
                changes.append((newer, []))
            continue
        fields = sorted(str(Client._meta.get_field(c.field).verbose_name) for c in newer.diff_against(older).changes)
        if fields or newer.history_type != "~":  # a save that changed nothing is left out
            changes.append((newer, fields))
    return changes[:limit]
