"""Plans (optimistic lock, history), follow-up scheduling (idempotent, the decision hook, the
command) and logging a contact."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from aftercare.models import AftercarePlan, FollowUp
from aftercare.services import aftercare_plan_save, followup_record, followups_schedule
from clients.models import Episode
from dashboard.models import Decision
from dashboard.services import decision_record
from iop.errors import StaleEdit
from tests.aftercare.conftest import PLAN, episode_end
from tests.factories import EpisodeFactory, TrackFactory

TODAY = timezone.localdate


def test_a_plan_is_recorded_then_corrected_with_every_version_kept(graduated, casemanager):
    plan = aftercare_plan_save(episode=graduated, fields=dict(PLAN), by=casemanager)
    assert plan.version == 1 and plan.recorded_by == casemanager
    fix = {"mutual_help_meetings_per_week": 5}
    plan = aftercare_plan_save(episode=graduated, fields=fix, by=casemanager, version=1)
    assert plan.version == 2
    assert AftercarePlan.objects.get().mutual_help_meetings_per_week == 5
    assert [h.mutual_help_meetings_per_week for h in plan.history.order_by("history_date")] == [3, 5]


def test_a_stale_correction_saves_nothing(plan1, casemanager):
    aftercare_plan_save(episode=plan1.episode, fields={"contact_name": "Sponsor"}, by=casemanager, version=1)
    with pytest.raises(StaleEdit) as stale:
        aftercare_plan_save(episode=plan1.episode, fields={"contact_name": "Someone"}, by=casemanager, version=1)
    assert stale.value.current.contact_name == "Sponsor"
    assert AftercarePlan.objects.get().contact_name == "Sponsor"


def test_a_second_new_plan_for_the_same_episode_is_refused(plan1, casemanager):
    with pytest.raises(StaleEdit):
        aftercare_plan_save(episode=plan1.episode, fields=dict(PLAN), by=casemanager)
    assert AftercarePlan.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"crisis_plan": ""}, "crisis_plan"),
        ({"contact_phone": "call me"}, "contact_phone"),
        ({"contact_phone": "988"}, "contact_phone"),
        ({"outpatient_sessions_per_week": 30}, "outpatient_sessions_per_week"),
    ],
)
def test_a_plan_with_a_bad_field_is_refused_naming_it(graduated, casemanager, change, field):
    with pytest.raises(ValidationError) as error:
        aftercare_plan_save(episode=graduated, fields={**PLAN, **change}, by=casemanager)
    assert field in error.value.message_dict
    assert not AftercarePlan.objects.exists()


def test_the_continuing_care_group_is_one_of_the_episodes_site(graduated, casemanager, site2):
    elsewhere = TrackFactory(site=site2, code="NOR-ALUM")
    with pytest.raises(ValidationError) as error:
        aftercare_plan_save(episode=graduated, fields={**PLAN, "continuing_care_track": elsewhere}, by=casemanager)
    assert "continuing_care_track" in error.value.message_dict


def test_follow_ups_are_scheduled_7_30_90_days_after_the_end_once(episode1):
    episode_end(episode1, days_ago=10)
    created = followups_schedule(episode=episode1)
    assert [(f.offset_days, f.due_on) for f in created] == [
        (days, episode1.ended_on + dt.timedelta(days=days)) for days in (7, 30, 90)
    ]
    assert followups_schedule(episode=episode1) == []
    assert FollowUp.objects.count() == 3


def test_the_offsets_are_a_program_setting(episode1, settings):
    settings.AFTERCARE_FOLLOWUP_DAYS = (14, 60)
    episode_end(episode1, days_ago=1)
    followups_schedule(episode=episode1)
    assert sorted(FollowUp.objects.values_list("offset_days", flat=True)) == [14, 60]


def test_an_open_episode_gets_no_follow_ups(episode1):
    assert followups_schedule(episode=episode1) == []
    assert not FollowUp.objects.exists()


@pytest.mark.parametrize(
    ("kind", "extra", "followups"),
    [
        (Decision.Kind.GRADUATE, {}, 3),
        (Decision.Kind.STEP_DOWN, {}, 3),
        (Decision.Kind.DISCHARGE, {"end_reason": Episode.EndReason.LEFT_AGAINST_ADVICE}, 3),
        (Decision.Kind.STEP_UP, {}, 0),  # the episode stays open
        (Decision.Kind.CONTINUE, {}, 0),
    ],
)
def test_a_decision_that_ends_the_episode_schedules_its_follow_ups(episode1, casemanager, kind, extra, followups):
    decision_record(
        episode=episode1,
        kind=kind,
        rationale="Reviewed at the team meeting, override explained at length here.",
        by=casemanager,
        decided_on=TODAY(),
        **extra,
    )
    assert FollowUp.objects.filter(episode=episode1).count() == followups
    if followups:
        assert FollowUp.objects.filter(episode=episode1, offset_days=7).get().due_on == TODAY() + dt.timedelta(days=7)


def test_the_command_schedules_every_ended_episode_missing_them(episode1, site1, track1, capsys):
    episode_end(episode1, days_ago=40)
    other = episode_end(EpisodeFactory(site=site1, track=track1), days_ago=5, status=Episode.Status.DISCHARGED)
    followups_schedule(episode=other, offsets=(7,))
    EpisodeFactory(site=site1, track=track1)  # active: nothing
    call_command("aftercare_schedule")
    assert "5 follow-up(s) scheduled" in capsys.readouterr().out
    assert FollowUp.objects.filter(episode=episode1).count() == 3
    assert FollowUp.objects.filter(episode=other).count() == 3
    call_command("aftercare_schedule")
    assert "0 follow-up(s) scheduled" in capsys.readouterr().out


def test_the_command_refuses_bad_offsets(episode1, settings):
    from django.core.management.base import CommandError

    episode_end(episode1, days_ago=1)
    settings.AFTERCARE_FOLLOWUP_DAYS = (7, -30)
    with pytest.raises(CommandError, match="AFTERCARE_FOLLOWUP_DAYS"):
        call_command("aftercare_schedule")
    assert not FollowUp.objects.exists()


def _contact(**over):
    return {"contacted_on": TODAY(), "reached": True, "attempts": 1, "substance_use": "no", **over}


def test_a_reached_contact_is_done(graduated, casemanager):
    followup = graduated.followups.get(offset_days=7)
    saved = followup_record(followup=followup, fields=_contact(housing="stable"), by=casemanager, version=0)
    assert saved.done and saved.recorded_by == casemanager and saved.version == 1
    assert FollowUp.objects.get(pk=followup.pk).housing == "stable"


def test_unreached_attempts_keep_it_open_until_they_run_out(graduated, casemanager):
    followup = graduated.followups.get(offset_days=7)
    followup = followup_record(
        followup=followup, fields=_contact(reached=False, attempts=1, substance_use=""), by=casemanager, version=0
    )
    assert not followup.done
    followup = followup_record(
        followup=followup, fields=_contact(reached=False, attempts=3, substance_use=""), by=casemanager, version=1
    )
    assert followup.done


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"reached": None}, "reached"),
        ({"attempts": 0}, "attempts"),
        ({"contacted_on": None}, "contacted_on"),
        ({"contacted_on": TODAY() + dt.timedelta(days=1)}, "contacted_on"),
        ({"contacted_on": TODAY() - dt.timedelta(days=30)}, "contacted_on"),  # before the episode ended
        ({"substance_use": ""}, "substance_use"),
    ],
)
def test_a_bad_contact_is_refused_naming_the_field(graduated, casemanager, over, field):
    followup = graduated.followups.get(offset_days=7)
    with pytest.raises(ValidationError) as error:
        followup_record(followup=followup, fields=_contact(**over), by=casemanager, version=0)
    assert field in error.value.message_dict
    assert FollowUp.objects.get(pk=followup.pk).recorded_at is None


def test_a_stale_contact_saves_nothing(graduated, casemanager):
    followup = graduated.followups.get(offset_days=7)
    followup_record(followup=followup, fields=_contact(), by=casemanager, version=0)
    with pytest.raises(StaleEdit):
        followup_record(followup=followup, fields=_contact(needs="Housing help"), by=casemanager, version=0)
    assert FollowUp.objects.get(pk=followup.pk).needs == ""
