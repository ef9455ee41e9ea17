import datetime as dt
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessEvent
from dashboard.history import evidence_summary
from dashboard.models import Decision
from dashboard.queries import QUERIES_PER_EVALUATION
from dashboard.services import decision_record
from tests.dashboard.progress_data import history_build
from tests.factories import EpisodeFactory


def _url(episode):
    return reverse("dashboard:progress", args=[episode.client_id])


def test_progress_explains_every_criterion_in_words(as_casemanager, episode1, therapist, casemanager):
    history_build(episode1, weeks=6, author=therapist)

    response = as_casemanager.get(_url(episode1))

    assert response.status_code == 200
    text = response.text
    assert 'Step-down readiness <span class="badge text-bg-success">Ready</span>' in text
    assert "Graduation readiness" in text
    assert "8 weeks in the program (6 required)" in text
    assert "7 negative screens in a row over" in text
    assert "100% attendance over the last 28 days" in text
    words = re.sub(r"<[^>]+>", "", text)  # the record each criterion relied on is a link
    assert re.search(r"Latest signed check-in, week of \d\d/\d\d/\d{4}, recommends step down", words)
    assert "Record a decision" in text
    assert AccessEvent.objects.filter(user=casemanager, client=episode1.client).count() == 1


def test_progress_shows_the_flags(as_casemanager, episode1):
    response = as_casemanager.get(_url(episode1))
    assert "Screen overdue" in response.text
    assert "Check-in overdue" in response.text


def test_progress_tables_carry_the_chart_numbers(as_casemanager, episode1, therapist):
    history_build(episode1, weeks=3, author=therapist)
    response = as_casemanager.get(_url(episode1))
    history = response.context["history"]
    full_weeks = [w for w in history["hours"] if w["hours"] == 9.0]
    assert len(full_weeks) >= 3
    assert all(w["met"] for w in full_weeks)
    assert [s["label"] for s in history["screens"]] == ["Negative"] * 4
    assert [ref for ref, _ in history["goals"]] == ["G1", "G2"]
    assert history["checkins"][-1]["phq9"] == 4 and history["checkins"][-1]["gad7"] == 3
    found = re.search(r'<script id="progress-data" type="application/json">(.*?)</script>', response.text)
    data = json.loads(found.group(1))
    assert data["hours"]["required"] == 9.0
    assert len(data["hours"]["labels"]) == len(history["hours"])
    assert 'id="progress-data"' in response.text
    assert "vendor/chart.js/chart.umd.js" in response.text
    assert "js/progress.js" in response.text


def test_progress_lists_decisions_with_evidence_and_the_override_badge(as_casemanager, episode1, casemanager):
    decision_record(
        episode=episode1,
        kind=Decision.Kind.GRADUATE,
        rationale="Moving out of state; graduating with a referral to a local program.",
        by=casemanager,
        decided_on=timezone.localdate(),
    )
    response = as_casemanager.get(_url(episode1))
    assert "Override of the markers" in response.text
    assert "Evidence: Step-down not ready; graduation not ready; week 8" in response.text
    assert "How episode RIC-0001-1 ended" in response.text
    assert "Record a decision" not in response.text


def test_therapist_sees_progress_but_no_decision_button(as_therapist, episode1):
    response = as_therapist.get(_url(episode1))
    assert response.status_code == 200
    assert "Step-down readiness" in response.text
    assert "Record a decision" not in response.text


def test_progress_of_a_client_without_episodes_says_so(as_admin):
    from tests.factories import ClientFactory

    client = ClientFactory()
    response = as_admin.get(reverse("dashboard:progress", args=[client.pk]))
    assert response.status_code == 200
    assert "No episode on record." in response.text
    assert "chart.umd.js" not in response.text


def test_progress_of_a_client_of_another_site_is_not_found(as_therapist2, episode1):
    assert as_therapist2.get(_url(episode1)).status_code == 404


@pytest.mark.parametrize(
    "evidence, expected",
    [
        ({}, "No markers recorded."),
        (
            {
                "markers": {
                    "weeks_in_program": 7,
                    "attendance_rate_4w": 0.9,
                    "negative_streak": 4,
                    "goals_on_track": None,
                },
                "step_down": {"status": "ready"},
                "graduation": {"status": "not_ready"},
                "flags": ["hours_short"],
            },
            "Step-down ready; graduation not ready; week 7; attendance 90%; 4 negative screens in a row; "
            "flags: hours short.",
        ),
    ],
)
def test_evidence_summary(evidence, expected):
    assert evidence_summary(evidence) == expected


def test_progress_query_count_is_the_same_for_3_and_30_weeks(
    as_casemanager, site1, track1, therapist, casemanager, django_assert_num_queries
):
    today = timezone.localdate()
    short = EpisodeFactory(site=site1, track=track1, admitted_on=today - dt.timedelta(weeks=4))
    long = EpisodeFactory(site=site1, track=track1, admitted_on=today - dt.timedelta(weeks=31))
    history_build(short, weeks=3, author=therapist)
    history_build(long, weeks=30, author=therapist)
    for episode in (short, long):
        decision_record(
            episode=episode, kind=Decision.Kind.CONTINUE, rationale="Keep going.", by=casemanager, decided_on=today
        )
    # session + user (2), the request's savepoint (1), the client (1), the access event (1),
    # the episodes (1), the decisions (1), permissions of the user and of the groups (1), release
    # savepoint (1); the event is sealed after commit (audit/chain.py). And the snapshots, read
    # (1 + 1) when current: the markers' (when not, the evaluation, QUERIES_PER_EVALUATION: see
    # dashboard.queries, and the snapshot stored: 1) and the history's (when not, attendance (1),
    # prescriptions + screens with results (2), goal ratings (1), check-ins (1), and the history
    # stored: 1).
    first, again = 9 + (1 + QUERIES_PER_EVALUATION + 1) + (1 + 5 + 1), 9 + 1 + 1
    for episode, screens in ((short, 4), (long, 31)):
        with django_assert_num_queries(first):
            first_view = as_casemanager.get(_url(episode)).context
        assert len(first_view["history"]["screens"]) == screens
        with django_assert_num_queries(again):  # the snapshots are current: read, not recomputed
            second_view = as_casemanager.get(_url(episode)).context
        assert second_view["evaluation"] == first_view["evaluation"]
        assert second_view["history"] == first_view["history"]
        assert [row[2] for _, _, _, rows in second_view["readiness"] for row in rows] == [
            row[2] for _, _, _, rows in first_view["readiness"] for row in rows
        ]  # the same words and links, from the details kept in the snapshot


# --- Issue 14: the episode switcher, an ended episode as of its last day, its decision ---------


def _step_down(episode, by, days_ago=14, rationale="Stepping down a little early: starts a day job next week."):
    return decision_record(
        episode=episode,
        kind=Decision.Kind.STEP_DOWN,
        rationale=rationale,
        by=by,
        decided_on=timezone.localdate() - dt.timedelta(days=days_ago),
    )


@pytest.fixture
def stepped_down(episode1, therapist, casemanager):
    """Ana's IOP episode (8 weeks of history) stepped down 14 days ago to a fresh OP episode;
    the check-in of that week recommended continuing: an override."""
    history_build(episode1, weeks=8, author=therapist)
    decision = _step_down(episode1, casemanager)
    episode1.refresh_from_db()
    return decision


def test_the_default_progress_of_a_fresh_op_episode_points_to_the_iop_evidence(as_casemanager, stepped_down):
    iop, op = stepped_down.episode, stepped_down.resulting_episode
    response = as_casemanager.get(_url(iop))
    assert response.context["episode"] == op
    text = response.text
    assert f"Progress of episode {op.ref}" in text
    assert f"Continues from IOP episode {iop.ref}" in text
    assert f'<a class="alert-link" href="?episode={iop.pk}">the Progress of episode {iop.ref}</a>' in text
    on = stepped_down.decided_on.strftime("%m/%d/%Y")
    assert f"(stepped down on {on} by {stepped_down.decided_by.get_full_name()})" in text
    assert 'id="episode-select"' in text  # the switcher
    assert 'id="history-empty"' in text and "chart.umd.js" not in text  # no empty charts


def test_an_ended_episode_is_judged_as_of_its_last_day(as_casemanager, stepped_down):
    iop = stepped_down.episode
    response = as_casemanager.get(_url(iop), {"episode": iop.pk})
    assert response.context["episode"] == iop
    assert response.context["as_of"] == iop.ended_on == stepped_down.decided_on
    evaluation = response.context["evaluation"]
    assert evaluation.markers.weeks_in_program == (iop.ended_on - iop.admitted_on).days // 7 == 6
    history = response.context["history"]
    assert max(s["collected_on"] for s in history["screens"]) <= iop.ended_on  # nothing after its end
    text = response.text
    assert f"as of {iop.ended_on:%m/%d/%Y}, its last day" in text
    assert f"Criteria as of {iop.ended_on:%m/%d/%Y}, the episode" in text
    assert "6 weeks in the program (6 required)" in text
    assert f"Continued as OP episode {stepped_down.resulting_episode.ref}" in text
    assert "Record a decision" not in text


def test_an_ended_episode_shows_the_decision_and_its_stored_evidence(as_casemanager, episode1, therapist, casemanager):
    history_build(episode1, weeks=6, author=therapist)
    decision = _step_down(episode1, casemanager, days_ago=0, rationale="Meets every step-down criterion.")
    assert decision.evidence["step_down"]["status"] == "ready" and not decision.is_override
    text = as_casemanager.get(_url(episode1), {"episode": episode1.pk}).text
    on = decision.decided_on.strftime("%m/%d/%Y")
    assert f"<strong>Decision: stepped down on {on} by {casemanager.get_full_name()}</strong>" in text
    assert "Rationale: “Meets every step-down criterion.”" in text
    assert f"Evidence stored with the decision: the markers as of {on}" in text
    assert "Step-down readiness: <strong>Ready</strong>" in text
    weeks = next(c for c in decision.evidence["step_down"]["criteria"] if c["name"] == "weeks_in_program")
    row = f'<th scope="row">Time in program</th><td>{weeks["measured"]}</td><td>{weeks["required"]}</td><td>Met</td>'
    assert row in text


def test_a_stepped_down_override_shows_its_rationale_and_the_evidence_of_that_day(as_casemanager, stepped_down):
    iop = stepped_down.episode
    text = as_casemanager.get(_url(iop), {"episode": iop.pk}).text
    on = stepped_down.decided_on.strftime("%m/%d/%Y")
    name = stepped_down.decided_by.get_full_name()
    assert stepped_down.is_override
    assert (
        f"<strong>Decision: stepped down on {on} by {name}</strong> (override: rationale “{stepped_down.rationale}”)"
        in text
    )
    assert "Step-down readiness: <strong>Approaching</strong>" in text
    assert "<td>continue IOP</td><td>step down or graduation</td><td>Not met</td>" in text


def test_an_override_says_so_with_its_rationale(as_casemanager, episode1, casemanager):
    rationale = "Moving out of state; graduating with a referral to a local program."
    decision_record(
        episode=episode1,
        kind=Decision.Kind.GRADUATE,
        rationale=rationale,
        by=casemanager,
        decided_on=timezone.localdate(),
    )
    text = as_casemanager.get(_url(episode1)).text
    assert f"(override: rationale “{rationale}”)" in text
    assert "Graduation readiness: <strong>Not ready</strong>" in text


def test_each_criterion_links_the_record_it_relied_on(as_casemanager, episode1, therapist):
    history_build(episode1, weeks=6, author=therapist)
    response = as_casemanager.get(_url(episode1))
    criteria = {c.name: c for c in response.context["evaluation"].step_down.criteria}
    week = criteria["goals_on_track"].detail["worksheet_week"]
    checkin_week = criteria["recommendation"].detail["latest_week"]
    screen_day = criteria["negative_streak"].detail["last_screen_on"]
    text = response.text
    worksheet = reverse("goals:worksheet", args=[episode1.pk])
    assert f'<a href="{worksheet}?week={week:%Y-%m-%d}">worksheet of week {week:%m/%d/%Y}</a>' in text
    checkin = reverse("checkins:week", args=[episode1.pk, f"{checkin_week:%Y-%m-%d}"])
    assert f'<a href="{checkin}">check-in, week of {checkin_week:%m/%d/%Y}</a>' in text
    screens = reverse("screening:client", args=[episode1.client_id])
    assert f'<a href="{screens}?episode={episode1.pk}#screens-{screen_day:%Y-%m-%d}">last screen on' in text
    # ... and each link opens that record.
    assert as_casemanager.get(f"{worksheet}?week={week:%Y-%m-%d}").status_code == 200
    assert as_casemanager.get(checkin).status_code == 200
    screens_tab = as_casemanager.get(screens, {"episode": episode1.pk}).text
    assert f'id="screens-{screen_day:%Y-%m-%d}"' in screens_tab


def test_the_screens_tab_follows_the_switcher(as_casemanager, stepped_down):
    iop, op = stepped_down.episode, stepped_down.resulting_episode
    url = reverse("screening:client", args=[iop.client_id])
    assert f"Screens this episode ({op.ref})" in as_casemanager.get(url).text
    past = as_casemanager.get(url, {"episode": iop.pk}).text
    assert f"Screens this episode ({iop.ref})" in past and "Save screen" not in past


def test_the_switcher_never_opens_another_sites_episode(as_therapist2, episode1, site2, therapist2):
    from clients.models import Episode

    episode1.status, episode1.end_reason = Episode.Status.GRADUATED, Episode.EndReason.GRADUATED
    episode1.ended_on = timezone.localdate() - dt.timedelta(days=30)
    episode1.save()
    norfolk = EpisodeFactory(client=episode1.client, site=site2, ref="NOR-0001-1")
    response = as_therapist2.get(_url(episode1), {"episode": episode1.pk})
    assert response.status_code == 200
    assert response.context["episode"] == norfolk
    assert episode1.ref not in response.text


def test_progress_of_an_ended_episode_of_another_site_is_not_found(as_therapist2, stepped_down):
    iop = stepped_down.episode
    assert as_therapist2.get(_url(iop), {"episode": iop.pk}).status_code == 404


def test_opening_a_past_episodes_progress_writes_an_access_event(as_casemanager, stepped_down, casemanager):
    iop = stepped_down.episode
    as_casemanager.get(_url(iop), {"episode": iop.pk})
    assert AccessEvent.objects.filter(user=casemanager, client=iop.client, action=AccessEvent.Action.VIEW).count() == 1


def _earlier_stays(client, site, track, by, count):
    """``count`` earlier stays of ``client``: an IOP episode stepped down to an OP episode, which
    was then discharged — two ended episodes and two decisions each."""
    from clients.models import Episode

    today = timezone.localdate()
    for n in range(count):
        start = today - dt.timedelta(days=400 - n * 60)
        iop = EpisodeFactory(client=client, site=site, track=track, admitted_on=start)
        decision_record(
            episode=iop,
            kind=Decision.Kind.STEP_DOWN,
            rationale="Stepping down as the team agreed at review.",
            by=by,
            decided_on=start + dt.timedelta(days=30),
        )
        decision_record(
            episode=Episode.objects.get(client=client, status=Episode.Status.ACTIVE),
            kind=Decision.Kind.DISCHARGE,
            rationale="Stopped attending the outpatient group.",
            by=by,
            decided_on=start + dt.timedelta(days=40),
            end_reason=Episode.EndReason.OTHER,
        )


def test_progress_query_count_is_flat_in_episodes_and_the_same_for_an_ended_one(
    as_casemanager, site1, track1, therapist, casemanager, django_assert_num_queries
):
    from tests.factories import ClientFactory

    today = timezone.localdate()
    few, many = ClientFactory(), ClientFactory()
    _earlier_stays(many, site1, track1, casemanager, 3)
    iops = []
    for client in (few, many):
        iop = EpisodeFactory(client=client, site=site1, track=track1, admitted_on=today - dt.timedelta(weeks=10))
        history_build(iop, weeks=9, author=therapist)
        _step_down(iop, casemanager, days_ago=7)
        iops.append(iop)
    assert [c.episodes.count() for c in (few, many)] == [2, 8]
    # the same steps as for an active episode (see the test above): the ended episode's
    # markers as of its last day, its decision and the episode it continues come with them
    expected = 14 + QUERIES_PER_EVALUATION  # the access event is sealed after commit
    for iop in iops:
        with django_assert_num_queries(expected):
            response = as_casemanager.get(_url(iop), {"episode": iop.pk})
        assert response.context["ending"]["decision"].episode == iop
        # the fresh OP episode: its evaluation has no worksheets, so no ratings to read (-1; its
        # screens are the continuous stay's, with results), its snapshot is looked up and stored
        # (+2), and its history's (+2)
        with django_assert_num_queries(expected + 3):
            assert as_casemanager.get(_url(iop)).context["continues_from"] == iop


def test_progress_after_a_write_shows_the_new_markers_not_the_stored_snapshot(as_casemanager, site1, track1, therapist):
    from dashboard.queries import episode_evaluation
    from screening.models import Analyte
    from screening.services import screen_record
    from tests.factories import PanelFactory

    today = timezone.localdate()
    episode = EpisodeFactory(site=site1, track=track1, admitted_on=today - dt.timedelta(weeks=6))
    history_build(episode, weeks=5, author=therapist)
    before = as_casemanager.get(_url(episode)).context["evaluation"]
    assert before.markers.last_screen_on < today
    panel = PanelFactory(name="One", analytes=[Analyte.objects.get(code="FEN")])
    screen_record(episode=episode, collected_at=timezone.now(), by=therapist, panel=panel)
    after = as_casemanager.get(_url(episode)).context["evaluation"]
    assert after.markers.last_screen_on == today
    episode.refresh_from_db()
    assert after == episode_evaluation(episode, today)


def test_the_screen_timeline_names_each_screens_positives_method_and_meaning(as_casemanager, site1, track1, therapist):
    from screening.models import Analyte, Screen
    from screening.services import prescription_add, screen_record
    from tests.factories import PanelFactory

    today = timezone.localdate()
    episode = EpisodeFactory(site=site1, track=track1, admitted_on=today - dt.timedelta(days=20))
    bup, coc, thc = (Analyte.objects.get(code=c) for c in ("BUP", "COC", "THC"))
    panel = PanelFactory(name="Three", analytes=[bup, coc, thc])
    prescription_add(
        client=episode.client, analyte=bup, medication="Buprenorphine", start=episode.admitted_on, by=therapist
    )
    noon = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=10), dt.time(12)))
    screen_record(episode=episode, collected_at=noon, by=therapist, panel=panel, results={bup.pk: "positive"})
    screen_record(
        episode=episode,
        collected_at=noon + dt.timedelta(days=3),
        by=therapist,
        panel=panel,
        method=Screen.Method.LAB,
        results={bup.pk: "positive", thc.pk: "positive", coc.pk: "positive"},
    )
    late_evening = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=5), dt.time(23, 30)))
    screen_record(episode=episode, collected_at=late_evening, by=therapist, panel=panel)

    response = as_casemanager.get(_url(episode))
    timeline = response.context["history"]["screens"]
    html = response.content.decode()
    for day in (noon.date(), noon.date() + dt.timedelta(days=3), late_evening.date()):
        assert f'<tr><th scope="row">{day:%m/%d/%Y}</th>' in html  # the table's row, MM/DD/YYYY

    assert [(s["collected_on"], s["interpretation"], s["positives"], s["method"]) for s in timeline] == [
        (noon.date(), "expected_positive", "BUP", "Point-of-care cup (presumptive)"),
        (noon.date() + dt.timedelta(days=3), "unexpected_positive", "BUP, COC, THC", "Laboratory"),
        (late_evening.date(), "negative", "", "Point-of-care cup (presumptive)"),  # the local day, not UTC's next one
    ]


# --- Issue 16: the history read from its cache (dashboard.models.HistorySnapshot) -----------------


def _positive_thc(episode, *, days_ago=2):
    from screening.models import Analyte, ScreenResult
    from tests.factories import ScreenFactory, ScreenResultFactory

    day = timezone.localdate() - dt.timedelta(days=days_ago)
    screen = ScreenFactory(episode=episode, collected_at=timezone.make_aware(dt.datetime.combine(day, dt.time(10))))
    ScreenResultFactory(screen=screen, analyte=Analyte.objects.get(code="THC"), result=ScreenResult.Result.POSITIVE)
    return day


def _positives(response):
    return [s["positives"] for s in response.context["history"]["screens"] if s["positives"]]


def test_an_analytes_new_code_shows_in_the_cached_history(as_casemanager, episode1, therapist):
    """The history names positives by analyte code, which marks no episode: saving an analyte
    clears the cached histories, so no Progress tab shows the code it had."""
    from screening.models import Analyte

    history_build(episode1, weeks=3, author=therapist)
    _positive_thc(episode1)
    assert _positives(as_casemanager.get(_url(episode1))) == ["THC"]
    assert _positives(as_casemanager.get(_url(episode1))) == ["THC"]  # (from the cache)

    thc = Analyte.objects.get(code="THC")
    thc.code = "CANN"
    thc.save()

    response = as_casemanager.get(_url(episode1))
    assert _positives(response) == ["CANN"]
    assert "CANN" in response.text and ">THC<" not in response.text


def test_a_history_cached_by_another_version_of_the_code_is_recomputed(as_casemanager, episode1, therapist):
    from dashboard.models import HistorySnapshot

    history_build(episode1, weeks=3, author=therapist)
    fresh = as_casemanager.get(_url(episode1)).context["history"]
    cached = HistorySnapshot.objects.get(episode=episode1)
    old = {**cached.document, "format": cached.document["format"] - 1, "screens": []}  # an older shape
    HistorySnapshot.objects.filter(pk=cached.pk).update(document=old)

    assert as_casemanager.get(_url(episode1)).context["history"] == fresh
    assert HistorySnapshot.objects.get(episode=episode1).document == cached.document  # stored again


def _table_rows(html, heading_id):
    """The <tbody> rows of the history table in the section labelled ``heading_id``, each as its
    cells' text (tags dropped), as a reader of the page sees them."""
    section = html[html.index(f'aria-labelledby="{heading_id}"') :]
    body = section[section.index("<tbody>") : section.index("</tbody>")]
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)
    ]


def test_progress_tables_show_every_row_as_a_reader_sees_it(as_casemanager, episode1, therapist):
    from goals.models import GoalRating
    from screening.models import Analyte

    history_build(episode1, weeks=3, author=therapist)
    day = _positive_thc(episode1)
    hostile = Analyte.objects.get(code="THC")
    hostile.code = "<i>X</i>"  # a code is any text an admin typed: shown escaped
    hostile.save()
    rating = GoalRating.objects.filter(worksheet__episode=episode1, goal__ref="G2").latest("worksheet__week")
    GoalRating.objects.filter(pk=rating.pk).delete()  # (test data: a goal not rated that week)

    response = as_casemanager.get(_url(episode1))
    html = response.text
    history = response.context["history"]

    hours = _table_rows(html, "hours-heading")
    status = {(True, False): "Met", (True, True): "Met", (False, True): "Week in progress", (False, False): "Short"}
    assert hours == [[w["day_text"], f"{w['hours']:g}", status[w["met"], w["current"]]] for w in history["hours"]] and {
        "Met",
        "Short",
    } <= {row[2] for row in hours}
    screens = _table_rows(html, "screens-heading")
    assert len(screens) == len(history["screens"])
    cup = "Point-of-care cup (presumptive)"
    assert [day.strftime("%m/%d/%Y"), "Unexpected positive", "&lt;i&gt;X&lt;/i&gt;", cup] in screens
    assert "<i>X</i>" not in html and screens[0][2] == "—"
    ratings = _table_rows(html, "goals-heading")
    assert ratings[-1] == [rating.worksheet.week.strftime("%m/%d/%Y"), "3", "—"]
    checkins = _table_rows(html, "checkins-heading")
    assert checkins[-1][1:] == ["0", "4", "3", "Step down to outpatient"]
