import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessEvent
from checkins.models import Addendum, CheckIn
from tests.factories import (
    AnalyteFactory,
    AttendanceFactory,
    CheckInFactory,
    GoalFactory,
    GoalRatingFactory,
    PrescriptionFactory,
    ScreenFactory,
    ScreenResultFactory,
    SessionFactory,
    WorksheetFactory,
)


def week_url(episode, week):
    return reverse("checkins:week", args=[episode.pk, week.isoformat()])


def form_data(**overrides):
    data = {
        "cravings": "3",
        "engagement": "4",
        "mood": "4",
        "risk": "none",
        "mutual_help_meetings": "2",
        "barriers": ["childcare"],
        "note": "Good week.",
        "recommendation": "continue",
        "rationale": "Still building skills.",
        "version": "",  # a new check-in
        "action": "save",
    }
    data.update(overrides)
    return data


def phq9(*answers):
    return {f"phq9_{n}": str(a) for n, a in enumerate(answers, start=1)}


def test_therapist_saves_a_draft_for_this_week(as_therapist, episode1, therapist, this_monday):
    response = as_therapist.post(week_url(episode1, this_monday), form_data(**phq9(1, 1, 1, 1, 1, 0, 0, 0, 0)))
    assert response.status_code == 302
    checkin = CheckIn.objects.get()
    assert checkin.author == therapist and not checkin.is_signed
    assert checkin.barriers == ["childcare"] and checkin.phq9_items == [1, 1, 1, 1, 1, 0, 0, 0, 0]
    page = as_therapist.get(week_url(episode1, this_monday))
    assert 'PHQ-9 total: <strong id="phq9-total">5 (Mild)' in page.content.decode()


def test_save_and_sign_locks_the_checkin(as_therapist, episode1, therapist, this_monday):
    as_therapist.post(week_url(episode1, this_monday), form_data(action="sign"))
    checkin = CheckIn.objects.get()
    assert checkin.signed_by == therapist
    response = as_therapist.post(week_url(episode1, this_monday), form_data(note="Rewritten", version="1"))
    assert response.status_code == 302
    checkin.refresh_from_db()
    assert checkin.note == "Good week."
    page = as_therapist.get(week_url(episode1, this_monday)).content.decode()
    assert "Signed" in page and "Add addendum" in page and 'name="cravings"' not in page


def test_phq9_item9_shows_the_risk_flag(as_therapist, episode1, this_monday):
    data = form_data(action="sign", risk="moderate", **phq9(0, 0, 0, 0, 0, 0, 0, 0, 2))
    as_therapist.post(week_url(episode1, this_monday), data)
    page = as_therapist.get(week_url(episode1, this_monday)).content.decode()
    assert "Risk flag" in page and "PHQ-9 item 9 endorsed" in page
    assert 'id="item9-answer"' in page and "2 – More than half the days" in page
    tab = as_therapist.get(reverse("checkins:client", args=[episode1.client_id])).content.decode()
    assert "PHQ-9 item 9: 2 – More than half the days" in tab


def test_item9_above_0_with_risk_none_and_no_note_cannot_be_signed(as_therapist, episode1, this_monday):
    data = form_data(action="sign", note="", **phq9(0, 0, 0, 0, 0, 0, 0, 0, 1))
    response = as_therapist.post(week_url(episode1, this_monday), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "PHQ-9 item 9 (thoughts of death or self-harm) was answered 1 – Several days" in page
    assert "assess the risk before signing" in page
    assert not CheckIn.objects.exists()  # neither signed nor half-saved


def test_item9_assessed_no_current_risk_needs_a_safety_note_of_80_characters(as_therapist, episode1, this_monday):
    data = form_data(action="sign", no_current_risk="on", safety_note="Denies intent.", **phq9(*[0] * 8, 1))
    response = as_therapist.post(week_url(episode1, this_monday), data)
    assert response.status_code == 400 and "at least 80 characters" in response.content.decode()
    assert not CheckIn.objects.exists()
    note = (
        "Asked about item 9: passive thoughts, no plan or intent, no means at home. Safety plan reviewed with client."
    )
    data.update(safety_note=note)
    assert as_therapist.post(week_url(episode1, this_monday), data).status_code == 302
    checkin = CheckIn.objects.get()
    assert checkin.is_signed and checkin.no_current_risk and checkin.safety_note == note
    page = as_therapist.get(week_url(episode1, this_monday)).content.decode()
    assert "assessed: no current risk" in page and "no plan or intent" in page


def test_risk_and_recommendation_are_not_prefilled(as_therapist, episode1, this_monday):
    page = as_therapist.get(week_url(episode1, this_monday)).content.decode()
    assert '<option value="" selected>Choose a risk level…</option>' in page
    assert '<option value="" selected>Choose a recommendation…</option>' in page


def test_a_draft_may_leave_risk_and_recommendation_empty_but_signing_needs_them(as_therapist, episode1, this_monday):
    url = week_url(episode1, this_monday)
    assert as_therapist.post(url, form_data(risk="", recommendation="")).status_code == 302
    draft = CheckIn.objects.get()
    assert draft.risk == "" and draft.recommendation == "" and not draft.is_signed
    response = as_therapist.post(url, form_data(risk="", recommendation="", action="sign", version=str(draft.version)))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose a risk level before signing." in page and "Choose a recommendation before signing." in page
    draft.refresh_from_db()
    assert not draft.is_signed and draft.version == 0


def test_partly_answered_phq9_is_refused(as_therapist, episode1, this_monday):
    response = as_therapist.post(week_url(episode1, this_monday), form_data(**phq9(1, 2)))
    assert response.status_code == 400
    assert "Answer all 9 PHQ-9 items, or none of them." in response.content.decode()
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize("field, value", [("cravings", "11"), ("engagement", "0"), ("mood", "6"), ("risk", "bad")])
def test_out_of_range_input_shows_the_field_error_and_saves_nothing(as_therapist, episode1, this_monday, field, value):
    response = as_therapist.post(week_url(episode1, this_monday), form_data(**{field: value}))
    assert response.status_code == 400
    assert 'class="invalid-feedback' in response.content.decode()
    assert not CheckIn.objects.exists()


def test_stale_form_is_told_it_changed_and_sees_the_current_draft(as_therapist, episode1, therapist, this_monday):
    CheckInFactory(episode=episode1, week=this_monday, author=therapist, note="Colleague's text", version=3)
    response = as_therapist.post(week_url(episode1, this_monday), form_data(note="My text", version="2"), follow=True)
    content = response.content.decode()
    assert "changed by someone else since you opened it" in content
    assert "Colleague&#x27;s text" in content
    assert CheckIn.objects.get().note == "Colleague's text"


def test_two_people_starting_the_same_new_checkin_second_is_told(as_therapist, as_admin, episode1, this_monday):
    as_admin.post(week_url(episode1, this_monday), form_data(note="First"))
    response = as_therapist.post(week_url(episode1, this_monday), form_data(note="Second"))
    assert "changed by someone else since you opened it" in response.content.decode()
    assert CheckIn.objects.get().note == "First"


@pytest.mark.parametrize(
    "week_for, message",
    [
        (lambda mon, ep: mon + dt.timedelta(days=2), "starts on a Monday"),
        (lambda mon, ep: mon + dt.timedelta(weeks=1), "has not started yet"),
        (lambda mon, ep: mon - dt.timedelta(weeks=30), "before the admission"),
    ],
)
def test_bad_week_is_refused_with_a_message(as_therapist, episode1, this_monday, week_for, message):
    response = as_therapist.get(week_url(episode1, week_for(this_monday, episode1)), follow=True)
    assert message in response.content.decode()
    response = as_therapist.post(week_url(episode1, week_for(this_monday, episode1)), form_data())
    assert not CheckIn.objects.exists()


def test_opening_a_week_that_has_a_checkin_opens_it(as_therapist, episode1, therapist, this_monday):
    CheckInFactory(episode=episode1, week=this_monday, author=therapist, note="Already begun")
    response = as_therapist.get(
        reverse("checkins:open", args=[episode1.pk]), {"week": this_monday.isoformat()}, follow=True
    )
    assert "Already begun" in response.content.decode()
    assert CheckIn.objects.count() == 1


def test_form_shows_the_week_as_the_record_has_it(as_therapist, episode1, therapist, this_monday, site1, track1):
    session = SessionFactory(site=site1, track=track1, date=this_monday, duration_minutes=180)
    AttendanceFactory(session=session, episode=episode1)
    absent = SessionFactory(site=site1, track=track1, date=this_monday + dt.timedelta(days=1))
    AttendanceFactory(session=absent, episode=episode1, status="absent", minutes_attended=0)
    bup = AnalyteFactory(code="BUP")
    PrescriptionFactory(client=episode1.client, analyte=bup)
    screen = ScreenFactory(
        episode=episode1, collected_at=timezone.make_aware(dt.datetime.combine(this_monday, dt.time(19)))
    )
    ScreenResultFactory(screen=screen, analyte=bup, result="positive")
    worksheet = WorksheetFactory(episode=episode1, week=this_monday)
    GoalRatingFactory(worksheet=worksheet, goal=GoalFactory(episode=episode1, ref="G1"), rating=3)
    content = as_therapist.get(week_url(episode1, this_monday)).content.decode()
    assert "1 session attended, 1 unexcused absence" in content
    assert f"<strong>{Decimal('3.0')}</strong> of 9" in content
    assert "Expected positive" in content and "BUP" in content
    assert "G1" in content and "(Good)" in content


def test_case_manager_reads_but_cannot_write_checkins(as_casemanager, signed_checkin, episode1, this_monday):
    assert as_casemanager.get(week_url(episode1, this_monday)).status_code == 200
    response = as_casemanager.post(reverse("checkins:addendum", args=[signed_checkin.pk]), {"text": "x"})
    assert response.status_code == 403
    response = as_casemanager.post(week_url(episode1, this_monday - dt.timedelta(weeks=1)), form_data())
    assert response.status_code == 403
    assert Addendum.objects.count() == 0 and CheckIn.objects.count() == 1


def test_other_site_therapist_gets_404_everywhere(as_therapist2, signed_checkin, episode1, this_monday):
    assert as_therapist2.get(reverse("checkins:client", args=[episode1.client_id])).status_code == 404
    assert as_therapist2.get(week_url(episode1, this_monday)).status_code == 404
    assert as_therapist2.post(reverse("checkins:addendum", args=[signed_checkin.pk]), {"text": "x"}).status_code == 404


def test_addendum_shows_under_the_signed_checkin(as_therapist, signed_checkin, episode1, this_monday):
    response = as_therapist.post(
        reverse("checkins:addendum", args=[signed_checkin.pk]), {"text": "Client disclosed a lapse on Sunday."}
    )
    assert response.status_code == 302
    content = as_therapist.get(reverse("checkins:client", args=[episode1.client_id])).content.decode()
    assert "Client disclosed a lapse on Sunday." in content
    signed_checkin.refresh_from_db()
    assert signed_checkin.note == "Doing well; attended all groups."


def test_addendum_to_a_draft_is_refused(as_therapist, episode1, therapist, this_monday):
    draft = CheckInFactory(episode=episode1, week=this_monday, author=therapist)
    response = as_therapist.post(reverse("checkins:addendum", args=[draft.pk]), {"text": "x"}, follow=True)
    assert "only be added to a signed check-in" in response.content.decode()
    assert Addendum.objects.count() == 0


def test_client_tab_lists_every_week_and_logs_the_view(as_therapist, signed_checkin, episode1):
    content = as_therapist.get(reverse("checkins:client", args=[episode1.client_id])).content.decode()
    assert "Signed" in content and "No check-in" in content
    assert "Cravings and PHQ-9 over time" in content
    assert AccessEvent.objects.filter(client=episode1.client).exists()


def _fill_history(episode, author, this_monday, weeks):
    for i in range(weeks):
        checkin = CheckInFactory(
            episode=episode,
            week=this_monday - dt.timedelta(weeks=i),
            author=author,
            phq9_items=[1] * 9,
            signed_by=author,
            signed_at=timezone.now(),
        )
        Addendum.objects.create(checkin=checkin, author=author, text=f"Addendum {i}")


def test_client_tab_query_count_is_constant(as_therapist, episode1, therapist, this_monday, django_assert_num_queries):
    url = reverse("checkins:client", args=[episode1.client_id])
    _fill_history(episode1, therapist, this_monday, 3)
    # session, user, savepoint (ATOMIC_REQUESTS), client (scoped), access event insert, episodes,
    # check-ins (+author, signer), addenda (+author), the user's permissions (user + group: one
    # query), release
    with django_assert_num_queries(QUERIES_CLIENT_TAB):
        assert as_therapist.get(url).status_code == 200
    episode1.admitted_on = this_monday - dt.timedelta(weeks=20)
    episode1.save()
    for i in range(3, 16):
        checkin = CheckInFactory(
            episode=episode1, week=this_monday - dt.timedelta(weeks=i), author=therapist, phq9_items=[0] * 9
        )
        Addendum.objects.create(checkin=checkin, author=therapist, text="more")
    with django_assert_num_queries(QUERIES_CLIENT_TAB):
        content = as_therapist.get(url).content.decode()
    assert content.count("Addendum ") >= 3


QUERIES_CLIENT_TAB = 10  # event sealed after commit (audit/chain.py)
QUERIES_DUE = 8  # event sealed after commit (audit/chain.py)


def test_due_list_shows_my_clients_without_a_signed_checkin(as_therapist, make_episodes, therapist, this_monday):
    done, todo = make_episodes(2)
    CheckInFactory(episode=done, week=this_monday, author=therapist, signed_by=therapist, signed_at=timezone.now())
    colleague = make_episodes(1, primary_therapist=None)[0]
    content = as_therapist.get(reverse("checkins:due")).content.decode()
    assert todo.client.mrn in content and done.client.mrn not in content and colleague.client.mrn not in content
    content = as_therapist.get(reverse("checkins:due"), {"scope": "all"}).content.decode()
    assert colleague.client.mrn in content


def test_case_manager_due_list_covers_the_site(as_casemanager, make_episodes, site2):
    here = make_episodes(2)
    content = as_casemanager.get(reverse("checkins:due")).content.decode()
    assert all(e.client.mrn in content for e in here)


def test_due_list_query_count_is_constant(as_therapist, make_episodes, django_assert_num_queries):
    make_episodes(3)
    url = reverse("checkins:due")
    # session, user, savepoint (ATOMIC_REQUESTS), sites for the filter, the user's permissions
    # (user + group: one query), due episodes (+client, site, therapist, draft and last-signed subqueries),
    # the page's access event (one INSERT), release
    with django_assert_num_queries(QUERIES_DUE):
        content = as_therapist.get(url).content.decode()
    assert content.count("Start check-in") == 3
    make_episodes(12)
    with django_assert_num_queries(QUERIES_DUE):
        content = as_therapist.get(url).content.decode()
    assert content.count("Start check-in") == 15


def test_admin_due_list_can_be_filtered_by_site(as_admin, make_episodes, site2, therapist2):
    here = make_episodes(1)[0]
    there = make_episodes(1, site=site2, track=None, primary_therapist=therapist2)[0]
    content = as_admin.get(reverse("checkins:due")).content.decode()
    assert here.client.mrn in content and there.client.mrn in content
    content = as_admin.get(reverse("checkins:due"), {"site": site2.pk}).content.decode()
    assert here.client.mrn not in content and there.client.mrn in content


def test_client_tab_shows_an_earlier_episode_when_chosen(as_therapist, episode1, therapist, this_monday):
    from tests.factories import EpisodeFactory

    old = EpisodeFactory(
        client=episode1.client,
        site=episode1.site,
        track=episode1.track,
        status="graduated",
        admitted_on=this_monday - dt.timedelta(weeks=40),
        ended_on=this_monday - dt.timedelta(weeks=30),
    )
    CheckInFactory(episode=old, week=this_monday - dt.timedelta(weeks=31), author=therapist, note="x", cravings=9)
    url = reverse("checkins:client", args=[episode1.client_id])
    assert "Cravings 9" not in as_therapist.get(url).content.decode()
    assert "Cravings 9" in as_therapist.get(url, {"episode": old.pk}).content.decode()


def test_phq9_and_gad7_are_radio_grids_one_fieldset_per_item_with_item9_highlighted(
    as_therapist, episode1, this_monday
):
    page = as_therapist.get(week_url(episode1, this_monday)).content.decode()
    assert page.count('class="row g-1 py-1 border-bottom measure-item') == 16  # 9 PHQ-9 + 7 GAD-7 items
    assert page.count('type="radio" name="phq9_') == 9 * 5 and page.count('type="radio" name="gad7_') == 7 * 5
    assert "<select" not in page.split('id="phq9"')[1]
    assert "item9 bg-danger-subtle" in page and "9. Thoughts that you would be better off dead" in page


def test_the_checkins_chart_data_has_the_gad7_totals(as_therapist, episode1, therapist, this_monday):
    CheckInFactory(episode=episode1, week=this_monday, author=therapist, gad7_items=[2, 2, 2, 2, 1, 1, 0])
    response = as_therapist.get(reverse("checkins:client", args=[episode1.client_id]))
    assert [row["gad7"] for row in response.context["trend_data"]] == [10]
