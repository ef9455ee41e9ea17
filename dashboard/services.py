"""Recording a decision: the markers of that day become its evidence, and the episode changes
(level of care, status, end date and reason, a new outpatient episode) in the same transaction."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from aftercare.services import followups_schedule
from clients.models import Episode, LevelOfCare, LevelOfCareChange
from clients.services import episode_open, episodes_inputs_changed
from dashboard.models import Decision
from dashboard.queries import episode_evaluations, evaluation_document
from programs.services import default_weekly_hours

OVERRIDE_RATIONALE_MIN = 20
WEEKLY_HOURS_MAX = 60  # as the intake form
# A continuing-care (alumni) group meets monthly: its episodes have no weekly hours to meet.
CONTINUING_CARE_WEEKLY_HOURS = Decimal("0")
READY = "ready"
# The readiness a decision kind goes against when it is not "ready".
READINESS_OF_KIND = {Decision.Kind.STEP_DOWN: "step_down", Decision.Kind.GRADUATE: "graduation"}
DISCHARGE_REASONS = {
    Episode.EndReason.STEPPED_UP,
    Episode.EndReason.LEFT_AGAINST_ADVICE,
    Episode.EndReason.ADMINISTRATIVE,
    Episode.EndReason.OTHER,
}
# The level of care a decision moves the client to (its weekly hours: that level's default at
# the site, programs.services.default_weekly_hours, unless the decision form says otherwise).
LEVEL_AFTER = {Decision.Kind.STEP_DOWN: LevelOfCare.OP, Decision.Kind.STEP_UP: LevelOfCare.PHP}


def is_override(kind, evidence):
    """A step-down or graduation the markers did not show as ready."""
    readiness = READINESS_OF_KIND.get(kind)
    return readiness is not None and evidence[readiness]["status"] != READY


@transaction.atomic
def decision_record(
    *, episode, kind, rationale, by, decided_on, end_reason="", weekly_hours=None, continuing_care_track=None
):
    """Record ``kind`` for the active ``episode`` as of ``decided_on`` and apply it.

    - continue: nothing else changes;
    - step_down: the episode ends (stepped down) and an outpatient episode opens the same day
      at the same site with the same staff (``follow_on_episode_open``); it is the decision's
      ``resulting_episode``;
    - step_up: the level of care becomes PHP (a new level-of-care row; the episode stays open);
    a step-down or step-up sets the required hours to ``weekly_hours``, or (None) the new
    level's default at the site;
    - graduate: the episode ends, graduated; with ``continuing_care_track`` (the aftercare
      plan's group, asked for on the decision form) an outpatient continuing-care episode on
      that track opens the same day, the decision's ``resulting_episode`` (as for a step-down);
    - discharge: the episode ends with ``end_reason``.
    A step-down or graduation against the markers is an override and needs a real rationale.
    Raises ValidationError (nothing written) when the decision cannot be made.
    """
    episode = Episode.objects.select_for_update().select_related("client").get(pk=episode.pk)
    rationale = (rationale or "").strip()
    if not episode.is_active:
        raise ValidationError(
            f"Episode {episode.ref} is {episode.get_status_display().lower()}: no decision can be recorded."
        )
    if kind not in Decision.Kind.values:
        raise ValidationError(f"Unknown decision {kind!r}.")
    if decided_on < episode.admitted_on:
        raise ValidationError("A decision cannot be dated before the admission.")
    if decided_on > timezone.localdate():
        raise ValidationError("A decision cannot be dated in the future.")
    if not rationale:
        raise ValidationError({"rationale": "Give the rationale for the decision."})

    evaluation = episode_evaluations([episode], decided_on)[episode.pk]
    evidence = evaluation_document(episode, evaluation, decided_on)
    override = is_override(kind, evidence)
    if override and len(rationale) < OVERRIDE_RATIONALE_MIN:
        readiness = READINESS_OF_KIND[kind].replace("_", "-")
        status = evidence[READINESS_OF_KIND[kind]]["status"].replace("_", " ")
        raise ValidationError(
            {
                "rationale": (
                    f"The markers show {readiness} as {status}: this decision is an override and needs a "
                    f"rationale of at least {OVERRIDE_RATIONALE_MIN} characters explaining why."
                )
            }
        )

    if continuing_care_track is not None:
        _continuing_care_check(episode, kind, continuing_care_track)
    resulting_episode = None
    if kind == Decision.Kind.STEP_DOWN:
        _episode_end(episode, Episode.Status.STEPPED_DOWN, Episode.EndReason.STEPPED_DOWN, decided_on)
        resulting_episode = follow_on_episode_open(
            episode, level=LevelOfCare.OP, admitted_on=decided_on, by=by, weekly_hours=weekly_hours
        )
    elif kind == Decision.Kind.GRADUATE:
        _episode_end(episode, Episode.Status.GRADUATED, Episode.EndReason.GRADUATED, decided_on)
        if continuing_care_track is not None:
            # A continuing-care group meets monthly: no weekly hours are required of its episode
            # (a weekly requirement would flag it "hours short" most weeks).
            resulting_episode = follow_on_episode_open(
                episode,
                level=LevelOfCare.OP,
                admitted_on=decided_on,
                by=by,
                weekly_hours=CONTINUING_CARE_WEEKLY_HOURS,
                track=continuing_care_track,
            )
    elif kind == Decision.Kind.DISCHARGE:
        if end_reason not in DISCHARGE_REASONS:
            raise ValidationError({"end_reason": "Choose the reason for the discharge."})
        _episode_end(episode, Episode.Status.DISCHARGED, end_reason, decided_on)
    elif kind == Decision.Kind.STEP_UP:
        if episode.level_of_care == LevelOfCare.PHP:
            raise ValidationError("The episode is already at partial hospitalization (PHP).")
        episode.level_of_care = LevelOfCare.PHP
        episode.required_weekly_hours = _weekly_hours(episode.site_id, LevelOfCare.PHP, weekly_hours)
        episode.save(update_fields=["level_of_care", "required_weekly_hours"])
        LevelOfCareChange.objects.create(
            episode=episode,
            level_of_care=LevelOfCare.PHP,
            effective_on=decided_on,
            reason="Stepped up by decision",
            changed_by=by,
        )

    followups_schedule(episode=episode)  # an ended episode gets its follow-up contacts (none while open)
    decision = Decision(
        episode=episode,
        kind=kind,
        decided_on=decided_on,
        decided_by=by,
        rationale=rationale,
        evidence=evidence,
        is_override=override,
        resulting_episode=resulting_episode,
    )
    decision.full_clean()
    decision.save()
    episodes_inputs_changed(episode_ids=[episode.pk])
    return decision


def _weekly_hours(site_id, level, weekly_hours):
    """The hours asked for, or the level's default at the site; refused when out of bounds."""
    if weekly_hours is None:
        return default_weekly_hours(site_id, level)
    if not 0 <= weekly_hours <= WEEKLY_HOURS_MAX:
        raise ValidationError({"weekly_hours": f"Required weekly hours must be between 0 and {WEEKLY_HOURS_MAX}."})
    return weekly_hours


def follow_on_episode_open(episode, *, level, admitted_on, by, weekly_hours=None, track=None):
    """Open the episode that follows ``episode`` (just ended) at ``level``, the same day, site
    and staff: a step-down's outpatient episode (``track`` None), or a continuing-care episode
    at graduation (``track``: the continuing-care group). Its required hours are
    ``weekly_hours`` or the level's default at the site. The caller ends ``episode`` first and
    is inside its transaction."""
    return episode_open(
        client=episode.client,
        site=episode.site,
        admitted_on=admitted_on,
        by=by,
        level_of_care=level,
        track=track,
        primary_therapist=episode.primary_therapist,
        case_manager=episode.case_manager,
        required_weekly_hours=_weekly_hours(episode.site_id, level, weekly_hours),
    )


def _continuing_care_check(episode, kind, track):
    if kind != Decision.Kind.GRADUATE:
        raise ValidationError("A continuing-care episode is opened at a graduation only.")
    if track.site_id != episode.site_id or not track.active or not track.continuing_care:
        raise ValidationError(f"{track.name} is not an active continuing-care group of {episode.site.name}.")


def _episode_end(episode, status, reason, day):
    episode.status = status
    episode.end_reason = reason
    episode.ended_on = day
    episode.save(update_fields=["status", "end_reason", "ended_on"])
