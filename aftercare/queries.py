"""Reads of continuing care: a client's plans and follow-ups, and the follow-ups due."""

from django.db.models import Prefetch

from aftercare.models import AftercarePlan, FollowUp
from clients.models import Episode


def client_aftercare(user, client):
    """The client's episodes at ``user``'s sites, newest first, each with ``plan`` (or None)
    and ``followups_list``. Two queries (episodes with their plans; follow-ups)."""
    episodes = list(
        Episode.objects.for_user(user)
        .filter(client=client)
        .select_related("site", "aftercare_plan__continuing_care_track", "aftercare_plan__updated_by")
        .prefetch_related(Prefetch("followups", queryset=FollowUp.objects.select_related("recorded_by")))
    )
    for episode in episodes:
        try:
            episode.plan = episode.aftercare_plan
        except AftercarePlan.DoesNotExist:
            episode.plan = None
        episode.followups_list = list(episode.followups.all())
    return episodes


def followups_due(user, on):
    """Follow-ups of ``user``'s sites not done and due by ``on``: the oldest due date first, so
    the overdue ones lead (overdue = due longest ago). A queryset (the page is sliced from it)."""
    return (
        FollowUp.objects.for_user(user)
        .filter(done=False, due_on__lte=on)
        .select_related("episode__client", "episode__site", "episode__case_manager")
        .order_by("due_on", "pk")
    )
