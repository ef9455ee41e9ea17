"""Writes that touch several rows: intake (client + first episode), readmission, profile edits.

The intake rules live here as small functions so the forms (field errors) and the services
(``ValidationError`` for any other caller, e.g. an import) apply the same ones.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from clients.models import Client, Episode, LevelOfCareChange
from iop.errors import StaleEdit
from iop.validators import date_of_birth_problem
from programs.models import Site

MIN_AGE_YEARS = 12


def age_on(date_of_birth, day):
    """Whole years of age on ``day``."""
    return day.year - date_of_birth.year - ((day.month, day.day) < (date_of_birth.month, date_of_birth.day))


def birth_date_problem(date_of_birth, today):
    """Why ``date_of_birth`` is not acceptable at intake, or None."""
    problem = date_of_birth_problem(date_of_birth, today)  # the model's bound (not future, age sane)
    if problem:
        return problem
    if age_on(date_of_birth, today) < MIN_AGE_YEARS:
        return f"The client must be at least {MIN_AGE_YEARS} years old to be admitted."
    return None


def admission_problem(admitted_on, today, *, previous_end=None):
    """Why ``admitted_on`` is not acceptable, or None."""
    if admitted_on > today:
        return "The admission date cannot be in the future."
    if previous_end and admitted_on < previous_end:
        return f"The admission date must be on or after the previous episode ended ({previous_end:%m/%d/%Y})."
    return None


def episode_site_problems(*, site, track=None, primary_therapist=None, case_manager=None):
    """Field → message for a track or staff member who does not belong to ``site``."""
    problems = {}
    if site is None:
        return problems
    if track is not None and track.site_id != site.pk:
        problems["track"] = f"The track {track.name} is not a track of {site.name}."
    people = {"primary_therapist": primary_therapist, "case_manager": case_manager}
    ids = {p.pk for p in people.values() if p is not None}
    at_site = set(site.staff.filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()
    for field, person in people.items():
        if person is not None and person.pk not in at_site:
            name = person.get_full_name() or person.username
            problems[field] = f"{name} does not work at {site.name}."
    return problems


def client_check(client, *, today=None):
    today = today or timezone.localdate()
    problem = client.date_of_birth and birth_date_problem(client.date_of_birth, today)
    if problem:
        raise ValidationError({"date_of_birth": problem})


def episode_check(episode, *, today=None):
    """The rules of an episode about to be opened. Raised as non-field errors, so any caller's
    form can show them; the intake and readmission forms check the same rules per field."""
    today = today or timezone.localdate()
    errors = episode_site_problems(
        site=episode.site,
        track=episode.track,
        primary_therapist=episode.primary_therapist,
        case_manager=episode.case_manager,
    )
    previous_end = None
    if episode.client_id:
        active = Episode.objects.active().filter(client_id=episode.client_id).first()
        if active:
            raise ValidationError(
                f"{episode.client.full_name} already has an active episode ({active.ref}, admitted "
                f"{active.admitted_on:%m/%d/%Y}). End it before opening a new one."
            )
        last = Episode.objects.filter(client_id=episode.client_id).exclude(ended_on=None).order_by("-ended_on").first()
        previous_end = last.ended_on if last else None
    problem = admission_problem(episode.admitted_on, today, previous_end=previous_end)
    if problem:
        errors["admitted_on"] = problem
    if errors:
        raise ValidationError(list(errors.values()))


def mrn_next(site):
    """Reserve the site's next MRN (``RIC-0001``). Row-locked so concurrent intakes never
    collide; numbers already taken (e.g. by imported records) are skipped."""
    locked = Site.objects.select_for_update().get(pk=site.pk)
    number = locked.next_mrn_number
    while Client.objects.filter(mrn=f"{site.code}-{number:04d}").exists():
        number += 1
    Site.objects.filter(pk=site.pk).update(next_mrn_number=number + 1)
    return f"{site.code}-{number:04d}"


def episodes_inputs_changed(*, episode_ids=(), client_ids=(), site_ids=(), site_levels=()):
    """Mark that a marker input of these episodes changed (their dashboard snapshots go stale).
    One UPDATE, called by every write service inside its transaction. Every episode of a touched
    client is marked: a continuous stay carries its earlier episodes' screens, risk and absences.
    ``site_levels``: (site id, level of care) pairs, e.g. a changed Criteria row touches the
    episodes of that site at that level only."""
    episode_ids, client_ids, site_ids = list(episode_ids), list(client_ids), list(site_ids)
    site_levels = list(site_levels)
    if not (episode_ids or client_ids or site_ids or site_levels):
        return 0
    touched = Q(pk__in=[]) if not client_ids else Q(client_id__in=client_ids)
    if episode_ids:
        touched |= Q(client_id__in=Episode.objects.filter(pk__in=episode_ids).values("client_id"))
    if site_ids:
        touched |= Q(site_id__in=site_ids)
    for site_id, level in site_levels:
        touched |= Q(site_id=site_id, level_of_care=level)
    return Episode.objects.filter(touched).update(inputs_version=F("inputs_version") + 1)


@transaction.atomic
def episode_open(*, client, site, admitted_on, by=None, **fields):
    """Open a new episode for ``client`` (the first, or a readmission), with its first
    level-of-care row. Refused (ValidationError) while the client has an active episode; the
    one-active-episode database constraint backs this up."""
    number = Episode.objects.filter(client=client).count() + 1
    episode = Episode(client=client, site=site, admitted_on=admitted_on, ref=f"{client.mrn}-{number}", **fields)
    episode_check(episode)
    episode.full_clean(exclude=["client", "ref"], validate_constraints=False)
    episode.save()
    LevelOfCareChange.objects.create(
        episode=episode,
        level_of_care=episode.level_of_care,
        effective_on=admitted_on,
        reason="Admission",
        changed_by=by,
    )
    episodes_inputs_changed(episode_ids=[episode.pk])
    return episode


@transaction.atomic
def client_intake(*, client_fields, episode_fields, by=None):
    """Create a client and their first episode in one transaction. ``episode_fields`` must
    include ``site`` and ``admitted_on``. Any ValidationError leaves nothing written."""
    client = Client(**client_fields)
    client_check(client)
    client.mrn = mrn_next(episode_fields["site"])
    client.full_clean()
    client.save()
    episode = episode_open(client=client, by=by, **episode_fields)
    return client, episode


def client_history_marker(client):
    """The id of the client's latest history row: what an edit form "saw"."""
    latest = client.history.order_by("-history_id").values_list("history_id", flat=True).first()
    return latest or 0


@transaction.atomic
def client_update(*, client, fields, seen, by=None):
    """Change a client's profile unless someone else changed it since ``seen``
    (``client_history_marker`` when the form was opened). History is written by
    django-simple-history."""
    locked = Client.objects.select_for_update().get(pk=client.pk)
    if client_history_marker(locked) != seen:
        raise StaleEdit(
            "This profile was changed by someone else since you opened it. The form now shows the "
            "current profile; make your change again.",
            current=locked,
        )
    for name, value in fields.items():
        setattr(locked, name, value)
    client_check(locked)
    locked.full_clean()
    locked.save()
    return locked
