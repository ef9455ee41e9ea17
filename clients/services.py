"""Writes that touch several rows: intake (client + first episode), readmission."""

from django.db import transaction
from django.db.models import F

from clients.models import Client, Episode, LevelOfCareChange
from programs.models import Site


def mrn_next(site):
    """Reserve the site's next MRN (``RIC-0001``). Row-locked so concurrent intakes never collide."""
    locked = Site.objects.select_for_update().get(pk=site.pk)
    number = locked.next_mrn_number
    Site.objects.filter(pk=site.pk).update(next_mrn_number=F("next_mrn_number") + 1)
    return f"{site.code}-{number:04d}"


@transaction.atomic
def episode_open(*, client, site, admitted_on, by=None, **fields):
    """Open a new episode for ``client`` (the first, or a readmission), with its first
    level-of-care row. The one-active-episode constraint refuses a second active one."""
    number = Episode.objects.filter(client=client).count() + 1
    episode = Episode(client=client, site=site, admitted_on=admitted_on, ref=f"{client.mrn}-{number}", **fields)
    episode.full_clean(exclude=["client", "ref"], validate_constraints=False)
    episode.save()
    LevelOfCareChange.objects.create(
        episode=episode,
        level_of_care=episode.level_of_care,
        effective_on=admitted_on,
        reason="Admission",
        changed_by=by,
    )
    return episode


@transaction.atomic
def client_intake(*, client_fields, episode_fields, by=None):
    """Create a client and their first episode in one transaction. ``episode_fields`` must
    include ``site`` and ``admitted_on``."""
    client = Client(**client_fields)
    client.mrn = mrn_next(episode_fields["site"])
    client.full_clean()
    client.save()
    episode = episode_open(client=client, by=by, **episode_fields)
    return client, episode
