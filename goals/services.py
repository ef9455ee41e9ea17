"""Writes of the goals app: goals (add, revise, status) and the weekly worksheet."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from clients.models import Episode
from clients.services import episodes_inputs_changed
from goals import rules
from goals.models import Goal, GoalRating, Worksheet
from iop.errors import StaleEdit

CHANGED_MESSAGE = (
    "This worksheet was changed by someone else since you opened it. "
    "Nothing was saved: the current version is shown below."
)


GOAL_FIELDS = ("area", "statement", "objective", "target_date")


@transaction.atomic
def goal_add(*, episode, area, statement, objective="", target_date=None, by=None, revises=None):
    """A new active goal with the episode's next reference (G1, G2…)."""
    locked = Episode.objects.select_for_update().get(pk=episode.pk)  # refs are assigned one at a time
    if not locked.is_active:
        raise ValidationError("Goals can only be added to an active episode.")
    goal = Goal(
        episode=locked,
        ref=rules.next_ref(Goal.objects.filter(episode=locked).values_list("ref", flat=True)),
        area=area,
        statement=statement,
        objective=objective,
        target_date=target_date,
        set_by=by,
        revises=revises,
    )
    goal.full_clean()
    goal.save()
    episodes_inputs_changed(episode_ids=[locked.pk])
    return goal


@transaction.atomic
def goal_revise(*, goal, by=None, **fields):
    """Replace an active goal by a new one (``revises`` = the old); the old one keeps its wording
    and becomes ``revised``."""
    old = Goal.objects.select_for_update().get(pk=goal.pk)
    if old.status != Goal.Status.ACTIVE:
        raise ValidationError(f"Only an active goal can be revised ({old.ref} is {old.get_status_display().lower()}).")
    new = goal_add(episode=old.episode, by=by, revises=old, **{f: fields.get(f, getattr(old, f)) for f in GOAL_FIELDS})
    old.status = Goal.Status.REVISED
    old._change_reason = f"Revised as {new.ref}"
    old.save(update_fields=["status"])
    return new


STATUS_CHANGES = {Goal.Status.ACHIEVED, Goal.Status.DISCONTINUED}


@transaction.atomic
def goal_status_set(*, goal, status, by=None):
    """Mark an active goal achieved or discontinued (the history keeps who and when)."""
    if status not in STATUS_CHANGES:
        raise ValidationError("A goal can only be marked achieved or discontinued (use revise to change it).")
    locked = Goal.objects.select_for_update().get(pk=goal.pk)
    if locked.status != Goal.Status.ACTIVE:
        raise ValidationError(f"{locked.ref} is already {locked.get_status_display().lower()}.")
    locked.status = status
    locked._history_user = by
    locked.save(update_fields=["status"])
    episodes_inputs_changed(episode_ids=[locked.episode_id])
    return locked


def worksheet_goals(episode, worksheet=None):
    """The goals a worksheet rates: the episode's active goals, plus any it already rated."""
    goals = Goal.objects.filter(episode=episode, status=Goal.Status.ACTIVE)
    if worksheet is not None and worksheet.pk:
        goals = goals | Goal.objects.filter(ratings__worksheet=worksheet)
    return sorted(set(goals), key=lambda g: rules.ref_sort_key(g.ref))


@transaction.atomic
def worksheet_save(*, episode, week, ratings, reflection="", by=None, version=None, today=None):
    """Create or update the episode's worksheet of ``week``.

    ``ratings``: {goal_id: (rating, reflection)} for every goal it rates. ``version``: the
    version the user opened (None for a new worksheet). Raises ``ValidationError`` (nothing
    saved) on bad input and ``StaleEdit`` when someone else saved it meanwhile.
    """
    today = today or timezone.localdate()
    problems = rules.week_problems(week=week, today=today, admitted_on=episode.admitted_on, ended_on=episode.ended_on)
    if problems:
        raise ValidationError({"week": problems})
    worksheet = Worksheet.objects.select_for_update().filter(episode=episode, week=week).first()
    if worksheet is not None and worksheet.version != version:
        raise StaleEdit(CHANGED_MESSAGE, current=worksheet)
    if worksheet is None and version is not None:
        raise StaleEdit(CHANGED_MESSAGE)
    goals = {g.pk: g for g in worksheet_goals(episode, worksheet)}
    errors = []
    for goal_id in ratings:
        if goal_id not in goals:
            errors.append("A rating is for a goal that is not on this worksheet.")
    for goal in goals.values():
        rating = ratings.get(goal.pk, (None, ""))[0]
        if rating is None and goal.status != Goal.Status.ACTIVE:
            continue  # a goal closed since: its old rating is kept as it was
        problem = rules.rating_problem(rating)
        if problem:
            errors.append(f"{goal.ref}: {problem}")
    if not goals:
        errors.append("The episode has no active goal to rate: add a goal first.")
    if errors:
        raise ValidationError(errors)

    if worksheet is None:
        worksheet = Worksheet(episode=episode, week=week, reflection=reflection, completed_by=by)
        worksheet.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():  # a concurrent first save of the same week loses cleanly
                worksheet._history_user = by
                worksheet.save()
        except IntegrityError:
            raise StaleEdit(CHANGED_MESSAGE) from None
        existing = {}
    else:
        worksheet.reflection = reflection
        worksheet.completed_by = by
        worksheet.version = worksheet.version + 1
        worksheet._history_user = by
        worksheet.full_clean(validate_constraints=False)
        worksheet.save()
        existing = {r.goal_id: r for r in GoalRating.objects.filter(worksheet=worksheet)}

    to_create, to_update = [], []
    for goal_id, (rating, note) in ratings.items():
        note = (note or "")[:500]
        row = existing.get(goal_id)
        if row is None:
            to_create.append(GoalRating(worksheet=worksheet, goal_id=goal_id, rating=rating, reflection=note))
        elif (row.rating, row.reflection) != (rating, note):
            row.rating, row.reflection = rating, note
            to_update.append(row)
    if to_create:
        bulk_create_with_history(to_create, GoalRating, default_user=by)
    if to_update:
        bulk_update_with_history(to_update, GoalRating, ["rating", "reflection"], default_user=by)
    episodes_inputs_changed(episode_ids=[episode.pk])
    return worksheet
