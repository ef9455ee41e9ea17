"""The Aftercare tab, the plan and follow-up forms, the print/PDF and the follow-ups due list:
scoped to the user's sites (404), writes for case managers and program admins (403 for
therapists), one record per submit, access events, pinned query counts."""

import datetime as dt
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from aftercare.models import AftercarePlan, FollowUp
from aftercare.queries import followups_due
from aftercare.services import aftercare_plan_save, followup_record, followups_schedule
from aftercare.views import PAGE_SIZE
from audit.models import AccessEvent
from tests.aftercare.conftest import PLAN, episode_end
from tests.consents.conftest import pdf_text
from tests.factories import ClientFactory, EpisodeFactory, TrackFactory

TODAY = timezone.localdate


def _plan_post(**over):
    data = {**PLAN, "version": "", "submission_key": str(uuid.uuid4()), **over}
    return {k: v for k, v in data.items() if v is not None}


def test_the_tab_shows_the_plan_and_the_follow_ups_with_their_state(as_therapist, plan1):
    response = as_therapist.get(reverse("aftercare:client", args=[plan1.episode.client_id]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Maria Diaz (sister)" in text and "(804) 555-0134" in text
    assert text.count("Not yet due") == 2 and ">Due<" in text  # 7 days: due; 30, 90: not yet
    assert "Record the aftercare plan" not in text and "Log contact" not in text  # therapists read
    assert AccessEvent.objects.filter(client=plan1.episode.client, action=AccessEvent.Action.VIEW).count() == 1


def test_a_case_manager_records_the_plan_once_however_often_it_is_posted(as_casemanager, graduated):
    url = reverse("aftercare:plan", args=[graduated.pk])
    assert as_casemanager.get(url).status_code == 200
    data = _plan_post()
    first = as_casemanager.post(url, data)
    again = as_casemanager.post(url, data)
    assert first.status_code == again.status_code == 302
    assert first.url == reverse("aftercare:client", args=[graduated.client_id])
    assert AftercarePlan.objects.get().contact_name == "Maria Diaz (sister)"


def test_a_correction_on_a_stale_form_saves_nothing_and_shows_the_current_plan(as_casemanager, plan1, casemanager):
    from aftercare.services import aftercare_plan_save

    aftercare_plan_save(episode=plan1.episode, fields={"contact_name": "Sponsor Ray"}, by=casemanager, version=1)
    response = as_casemanager.post(
        reverse("aftercare:plan", args=[plan1.episode_id]), _plan_post(version="1", contact_name="Mine")
    )
    assert response.status_code == 200
    assert "Someone saved this record" in response.content.decode()
    assert AftercarePlan.objects.get().contact_name == "Sponsor Ray"


def test_a_bad_plan_shows_field_errors_and_writes_nothing(as_casemanager, graduated):
    response = as_casemanager.post(
        reverse("aftercare:plan", args=[graduated.pk]), _plan_post(crisis_plan="", contact_phone="nope")
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"crisis_plan", "contact_phone"}
    assert not AftercarePlan.objects.exists()


def test_therapists_may_not_write_a_plan_or_log_a_contact(as_therapist, graduated):
    followup = graduated.followups.first()
    assert as_therapist.get(reverse("aftercare:plan", args=[graduated.pk])).status_code == 403
    assert as_therapist.post(reverse("aftercare:plan", args=[graduated.pk]), _plan_post()).status_code == 403
    assert as_therapist.post(reverse("aftercare:followup", args=[followup.pk]), {}).status_code == 403
    assert not AftercarePlan.objects.exists()


def test_another_sites_staff_get_404_everywhere(as_programadmin, site2):
    """programadmin works at site 1 only: a site-2 client's aftercare is not there."""
    track = TrackFactory(site=site2, code="NOR-EVE")
    episode = episode_end(EpisodeFactory(client=ClientFactory(mrn="NOR-0001"), site=site2, track=track), days_ago=10)
    followup = followups_schedule(episode=episode)[0]
    urls = [
        reverse("aftercare:client", args=[episode.client_id]),
        reverse("aftercare:plan", args=[episode.pk]),
        reverse("aftercare:plan_print", args=[episode.pk]),
        reverse("aftercare:plan_pdf", args=[episode.pk]),
        reverse("aftercare:followup", args=[followup.pk]),
    ]
    assert [as_programadmin.get(u).status_code for u in urls] == [404] * 5
    assert as_programadmin.post(urls[1], _plan_post()).status_code == 404
    assert not AftercarePlan.objects.exists()
    assert not AccessEvent.objects.filter(client=episode.client).exists()


def test_logging_a_contact_marks_it_done_once(as_casemanager, graduated):
    followup = graduated.followups.get(offset_days=7)
    data = {
        "contacted_on": TODAY().isoformat(),
        "reached": "yes",
        "attempts": "1",
        "substance_use": "no",
        "in_treatment": "yes",
        "continuing_care": "attending",
        "housing": "stable",
        "employment": "employed",
        "readmitted": "no",
        "needs": "Bus pass for the alumni group.",
        "version": "0",
        "submission_key": str(uuid.uuid4()),
    }
    url = reverse("aftercare:followup", args=[followup.pk])
    assert as_casemanager.get(url).status_code == 200
    assert as_casemanager.post(url, data).status_code == 302
    assert as_casemanager.post(url, data).status_code == 302  # the repeat is replayed, not saved again
    followup.refresh_from_db()
    assert followup.done and followup.version == 1 and followup.needs == "Bus pass for the alumni group."
    assert followup.history.count() == 2  # scheduled, logged


def test_a_contact_without_the_answer_shows_the_field_error(as_casemanager, graduated):
    followup = graduated.followups.get(offset_days=7)
    data = {"contacted_on": TODAY().isoformat(), "reached": "yes", "attempts": "1", "version": "0"}
    response = as_casemanager.post(reverse("aftercare:followup", args=[followup.pk]), data)
    assert response.status_code == 200
    assert "substance_use" in response.context["form"].errors
    assert FollowUp.objects.get(pk=followup.pk).recorded_at is None


def test_the_plan_prints_and_exports_logged(as_therapist, plan1):
    client = plan1.episode.client
    page = as_therapist.get(reverse("aftercare:plan_print", args=[plan1.episode_id]))
    assert page.status_code == 200 and "Emergency / crisis plan" in page.content.decode()
    pdf = as_therapist.get(reverse("aftercare:plan_pdf", args=[plan1.episode_id]))
    assert pdf["Content-Type"] == "application/pdf" and pdf["Cache-Control"] == "no-store, private"
    text = pdf_text(pdf.content)
    assert "Aftercare plan" in text and "Maria Diaz (sister)" in text and client.mrn in text
    actions = set(AccessEvent.objects.filter(client=client).values_list("action", flat=True))
    assert {AccessEvent.Action.PRINT, AccessEvent.Action.EXPORT} <= actions


def test_a_plan_not_recorded_does_not_print(as_therapist, graduated):
    assert as_therapist.get(reverse("aftercare:plan_print", args=[graduated.pk])).status_code == 404


# The due list --------------------------------------------------------------------------------


def _ended(site, track, days_ago, n=1):
    episodes = [episode_end(EpisodeFactory(site=site, track=track), days_ago=days_ago) for _ in range(n)]
    for episode in episodes:
        followups_schedule(episode=episode)
    return episodes


def test_the_due_list_as_of_a_day_is_overdue_first_and_leaves_out_done_and_not_yet_due(site1, track1, casemanager):
    end = dt.date(2026, 1, 1)
    episode = EpisodeFactory(site=site1, track=track1, admitted_on=dt.date(2025, 11, 1))
    episode.status, episode.ended_on = "graduated", end
    episode.save()
    followups_schedule(episode=episode)

    def due_on(day):
        return [(f.offset_days, f.state(day)) for f in followups_due(casemanager, day)]

    assert due_on(end + dt.timedelta(days=6)) == []
    assert due_on(end + dt.timedelta(days=7)) == [(7, "due")]
    assert due_on(end + dt.timedelta(days=30)) == [(7, "overdue"), (30, "due")]
    assert due_on(end + dt.timedelta(days=95)) == [(7, "overdue"), (30, "overdue"), (90, "due")]
    seven = episode.followups.get(offset_days=7)
    seven.done = True  # as followup_record sets it once reached
    seven.save()
    assert due_on(end + dt.timedelta(days=95)) == [(30, "overdue"), (90, "due")]


def test_the_due_list_shows_the_sites_follow_ups_only(as_casemanager, site1, track1, site2):
    mine = _ended(site1, track1, days_ago=10)[0]
    _ended(site2, TrackFactory(site=site2, code="NOR-EVE"), days_ago=10)
    response = as_casemanager.get(reverse("aftercare:due"))
    assert response.status_code == 200
    assert [f.episode for f, _ in response.context["rows"]] == [mine]
    event = AccessEvent.objects.get(action=AccessEvent.Action.LIST)
    assert event.client_ids == [mine.client_id]


def test_a_reached_follow_up_leaves_the_due_list(as_casemanager, graduated, casemanager):
    followup = graduated.followups.get(offset_days=7)
    followup_record(
        followup=followup,
        fields={"contacted_on": TODAY(), "reached": True, "attempts": 1, "substance_use": "declined"},
        by=casemanager,
        version=0,
    )
    response = as_casemanager.get(reverse("aftercare:due"))
    assert response.context["rows"] == []
    assert "No follow-up due" in response.content.decode()


@pytest.mark.parametrize("count", [3, 30])
def test_the_due_list_query_count_is_constant(as_casemanager, site1, track1, count, django_assert_num_queries):
    _ended(site1, track1, days_ago=40, n=count)
    # session, user, savepoint, permissions (user + group: one query), count, page rows, access
    # event (sealed after commit: audit/chain.py), release
    with django_assert_num_queries(8):
        response = as_casemanager.get(reverse("aftercare:due"))
    assert len(response.context["rows"]) == min(2 * count, PAGE_SIZE)  # 7 and 30 days: both not done


def test_the_due_list_pages_with_one_access_event_each(as_casemanager, site1, track1):
    _ended(site1, track1, days_ago=40, n=30)
    second = as_casemanager.get(reverse("aftercare:due"), {"page": 2})
    assert len(second.context["rows"]) == 60 - PAGE_SIZE
    events = AccessEvent.objects.filter(action=AccessEvent.Action.LIST)
    assert events.count() == 1
    assert len(events.get().client_ids) == len({f.episode.client_id for f, _ in second.context["rows"]})


def test_the_nav_links_the_due_list_for_case_managers_only(as_casemanager, as_therapist):
    assert reverse("aftercare:due") in as_casemanager.get(reverse("clients:list")).content.decode()
    assert reverse("aftercare:due") not in as_therapist.get(reverse("clients:list")).content.decode()


def test_the_plan_pdf_and_print_carry_the_full_part2_notice(as_casemanager, plan1):
    """Handed to the client or another provider, the plan carries the whole §2.32 notice."""
    from iop.notice import PART2_NOTICE

    notice = " ".join(PART2_NOTICE.split())
    text = pdf_text(as_casemanager.get(reverse("aftercare:plan_pdf", args=[plan1.episode_id])).content)
    assert "If this plan is disclosed outside the program (42 CFR 2.32)" in text
    assert notice in text
    page = as_casemanager.get(reverse("aftercare:plan_print", args=[plan1.episode_id])).content.decode()
    assert notice in " ".join(page.split())


def test_the_plan_shows_when_its_group_meets(as_casemanager, graduated, casemanager, site1):
    from programs.schedule import MONTHLY

    alumni = TrackFactory(
        site=site1, name="Alumni group", weekdays=["tue"], cadence=MONTHLY, month_week=1, continuing_care=True
    )
    plan = aftercare_plan_save(episode=graduated, fields={**PLAN, "continuing_care_track": alumni}, by=casemanager)
    page = as_casemanager.get(reverse("aftercare:client", args=[graduated.client_id])).content.decode()
    assert "Alumni group · First Tuesday of the month, 6:00 PM" in page
    text = pdf_text(as_casemanager.get(reverse("aftercare:plan_pdf", args=[plan.episode_id])).content)
    assert "Alumni group · First Tuesday of the month, 6:00 PM" in text
