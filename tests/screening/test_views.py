import datetime as dt

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessEvent
from programs.roles import CASE_MANAGER
from screening import services
from screening.models import Prescription, Screen, ScreenResult
from tests.factories import (
    ClientFactory,
    EpisodeFactory,
    PrescriptionFactory,
    ScreenFactory,
    ScreenResultFactory,
    UserFactory,
)
from tests.screening.conftest import ago

pytestmark = pytest.mark.django_db


def _form_time(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def _entry(cup, moment, **extra):
    data = {
        "panel": cup.pk,
        "outcome": "completed",
        "collected_at": _form_time(moment),
        "method": "poc",
        "observed": "on",
    }
    data.update({f"result_{a.pk}": "negative" for a in cup.analytes.all()})
    data.update(extra)
    return data


def test_screens_tab_shows_entry_form_with_every_panel_analyte_negative(as_therapist, episode1, cup):
    response = as_therapist.get(reverse("screening:client", args=[episode1.client.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Record a screen" in html
    for analyte in cup.analytes.all():
        assert f'name="result_{analyte.pk}" id="id_result_{analyte.pk}_0" value="negative" checked' in html
    assert AccessEvent.objects.filter(client=episode1.client, user__username="therapist").exists()


def test_negative_cup_is_saved_with_one_post(as_therapist, episode1, cup):
    moment = ago(hours=1)
    response = as_therapist.post(reverse("screening:record", args=[episode1.client.pk]), _entry(cup, moment))
    assert response.status_code == 302
    screen = Screen.objects.get()
    assert screen.outcome == "completed" and screen.collected_at == moment
    assert screen.results.filter(result="negative").count() == 12
    page = as_therapist.get(response.url).content.decode()
    assert "Negative</span>" in page
    assert "1 screen over 0 days" in page


def test_unexplained_positive_sent_to_lab_is_unexpected_while_the_lab_is_pending(as_therapist, episode1, cup, analytes):
    coc = analytes["COC"]
    data = _entry(cup, ago(hours=1), **{f"result_{coc.pk}": "positive", f"send_{coc.pk}": "on"})
    as_therapist.post(reverse("screening:record", args=[episode1.client.pk]), data)
    result = ScreenResult.objects.get(analyte=coc)
    assert result.confirmation == "pending"
    page = as_therapist.get(reverse("screening:client", args=[episode1.client.pk])).content.decode()
    assert "Unexpected positive</span>" in page  # DOMAIN.md "Settled readings": until the lab overturns it
    assert "presumptive, lab pending since" in page


def test_bad_entry_shows_the_error_and_saves_nothing(as_therapist, episode1, cup):
    future = timezone.now() + dt.timedelta(hours=2)
    response = as_therapist.post(reverse("screening:record", args=[episode1.client.pk]), _entry(cup, future))
    assert response.status_code == 400
    assert "The collection time is in the future." in response.content.decode()
    assert not Screen.objects.exists()


def test_temperature_outside_physical_range_shows_field_error(as_therapist, episode1, cup):
    data = _entry(cup, ago(hours=1), temperature_c="50")
    response = as_therapist.post(reverse("screening:record", args=[episode1.client.pk]), data)
    assert response.status_code == 400
    assert "between 20 and 45" in response.content.decode()
    assert not Screen.objects.exists()


def test_second_screen_same_minute_is_refused_in_the_form(as_therapist, episode1, cup):
    moment = ago(hours=1)
    url = reverse("screening:record", args=[episode1.client.pk])
    as_therapist.post(url, _entry(cup, moment))
    response = as_therapist.post(url, _entry(cup, moment))
    assert response.status_code == 400
    assert "already recorded" in response.content.decode()
    assert Screen.objects.count() == 1


def test_refusal_is_one_click_plus_reason(as_therapist, episode1):
    url = reverse("screening:record", args=[episode1.client.pk])
    response = as_therapist.post(
        url,
        {
            "outcome": "refused",
            "noresult-collected_at": _form_time(ago(hours=1)),
            "noresult-reason": "Said he could not go",
        },
    )
    assert response.status_code == 302
    screen = Screen.objects.get()
    assert (screen.outcome, screen.reason) == ("refused", "Said he could not go")
    missing = as_therapist.post(
        url, {"outcome": "missed", "noresult-collected_at": _form_time(ago(hours=2)), "noresult-reason": ""}
    )
    assert missing.status_code == 400
    assert Screen.objects.count() == 1


def test_lab_confirmed_negative_overturns_and_restores_the_streak(as_therapist, episode1, cup, analytes, therapist):
    services.screen_record(episode=episode1, collected_at=ago(3), by=therapist, panel=cup)
    coc = analytes["COC"]
    screen = services.screen_record(
        episode=episode1,
        collected_at=ago(1),
        by=therapist,
        panel=cup,
        results={coc.pk: "positive"},
        send_for_confirmation=True,
    )
    tab = reverse("screening:client", args=[episode1.client.pk])
    assert "0 screens" in as_therapist.get(tab).content.decode()
    result = screen.results.get(analyte=coc)
    response = as_therapist.post(
        reverse("screening:result_confirm", args=[result.pk]), {"confirmation": "confirmed_negative", "seen": "pending"}
    )
    assert response.status_code == 302 and response.url == tab
    page = as_therapist.get(tab).content.decode()
    assert "overturned: confirmed negative by the lab" in page
    assert "2 screens over 2 days" in page


def test_stale_confirmation_tells_user_and_keeps_current(as_therapist, episode1, cup, analytes, therapist):
    coc = analytes["COC"]
    screen = services.screen_record(
        episode=episode1,
        collected_at=ago(1),
        by=therapist,
        panel=cup,
        results={coc.pk: "positive"},
        send_for_confirmation=True,
    )
    result = screen.results.get(analyte=coc)
    services.result_confirm(result=result, confirmation="confirmed_positive", by=therapist)
    response = as_therapist.post(
        reverse("screening:result_confirm", args=[result.pk]),
        {"confirmation": "confirmed_negative", "seen": "pending"},
        follow=True,
    )
    assert "changed by someone else" in response.content.decode()
    result.refresh_from_db()
    assert result.confirmation == "confirmed_positive"


def test_buprenorphine_positive_with_prescription_is_expected(as_casemanager, episode1, cup, analytes, therapist):
    bup = analytes["BUP"]
    response = as_casemanager.post(
        reverse("screening:prescription_add", args=[episode1.client.pk]),
        {"medication": "Suboxone 8/2 mg", "analyte": bup.pk, "start": episode1.admitted_on.isoformat()},
    )
    assert response.status_code == 302
    services.screen_record(episode=episode1, collected_at=ago(1), by=therapist, panel=cup, results={bup.pk: "positive"})
    page = as_casemanager.get(reverse("screening:client", args=[episode1.client.pk])).content.decode()
    assert "Expected positive</span>" in page
    assert "Suboxone 8/2 mg" in page


def test_prescription_entered_in_error_is_kept_and_no_longer_explains(
    as_casemanager, episode1, cup, analytes, therapist
):
    bup = analytes["BUP"]
    rx = PrescriptionFactory(client=episode1.client, analyte=bup, start=episode1.admitted_on)
    services.screen_record(episode=episode1, collected_at=ago(1), by=therapist, panel=cup, results={bup.pk: "positive"})
    response = as_casemanager.post(reverse("screening:prescription_error", args=[rx.pk]))
    assert response.status_code == 302
    rx.refresh_from_db()
    assert rx.entered_in_error
    page = as_casemanager.get(reverse("screening:client", args=[episode1.client.pk])).content.decode()
    assert "Unexpected positive</span>" in page
    assert "Entered in error</span>" in page


def test_prescription_end_before_start_shows_message(as_casemanager, episode1, analytes):
    rx = PrescriptionFactory(client=episode1.client, analyte=analytes["BUP"], start=episode1.admitted_on)
    response = as_casemanager.post(
        reverse("screening:prescription_end", args=[rx.pk]),
        {"end": (episode1.admitted_on - dt.timedelta(days=1)).isoformat()},
        follow=True,
    )
    assert "before the start" in response.content.decode()
    rx.refresh_from_db()
    assert rx.end is None


def test_therapist_may_not_add_prescriptions(as_therapist, episode1, analytes):
    response = as_therapist.post(
        reverse("screening:prescription_add", args=[episode1.client.pk]),
        {"medication": "Suboxone", "analyte": analytes["BUP"].pk, "start": episode1.admitted_on.isoformat()},
    )
    assert response.status_code == 403
    assert not Prescription.objects.exists()


def test_other_site_sees_404_everywhere(as_therapist2, episode1, cup, analytes, therapist, site2):
    coc = analytes["COC"]
    screen = services.screen_record(
        episode=episode1,
        collected_at=ago(1),
        by=therapist,
        panel=cup,
        results={coc.pk: "positive"},
        send_for_confirmation=True,
    )
    result = screen.results.get(analyte=coc)
    pk = episode1.client.pk
    assert as_therapist2.get(reverse("screening:client", args=[pk])).status_code == 404
    assert as_therapist2.post(reverse("screening:record", args=[pk]), _entry(cup, ago(hours=1))).status_code == 404
    confirm = reverse("screening:result_confirm", args=[result.pk])
    assert as_therapist2.post(confirm, {"confirmation": "confirmed_negative"}).status_code == 404
    assert as_therapist2.post(reverse("screening:result_send", args=[result.pk])).status_code == 404
    assert Screen.objects.count() == 1
    result.refresh_from_db()
    assert result.confirmation == "pending"
    assert episode1.client.last_name not in as_therapist2.get(reverse("screening:pending")).content.decode()


def test_case_manager_of_other_site_cannot_touch_prescriptions(episode1, analytes, site2):
    rx = PrescriptionFactory(client=episode1.client, analyte=analytes["BUP"])
    http = HttpClient()
    http.force_login(UserFactory(username="cm2", role=CASE_MANAGER, sites=[site2]))
    assert http.post(reverse("screening:prescription_error", args=[rx.pk])).status_code == 404
    assert http.post(reverse("screening:prescription_end", args=[rx.pk]), {"end": "2026-01-01"}).status_code == 404
    rx.refresh_from_db()
    assert not rx.entered_in_error and rx.end is None


def test_mutations_are_post_only(as_therapist, episode1):
    assert as_therapist.get(reverse("screening:record", args=[episode1.client.pk])).status_code == 405


def test_pending_list_is_oldest_first_with_days_waiting(as_casemanager, episode1, cup, analytes, therapist, site1):
    coc, thc = analytes["COC"], analytes["THC"]
    other = EpisodeFactory(site=site1, client=ClientFactory(last_name="Zeta"))
    old = services.screen_record(
        episode=other,
        collected_at=ago(9),
        by=therapist,
        panel=cup,
        results={thc.pk: "positive"},
        send_for_confirmation=True,
    )
    ScreenResult.objects.filter(screen=old).update(confirmation_sent_on=timezone.localdate() - dt.timedelta(days=8))
    services.screen_record(
        episode=episode1,
        collected_at=ago(1),
        by=therapist,
        panel=cup,
        results={coc.pk: "positive"},
        send_for_confirmation=True,
    )
    response = as_casemanager.get(reverse("screening:pending"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Zeta") < html.index(episode1.client.last_name)
    assert "8 days" in html and "0 days" in html


def test_screen_entered_in_error_leaves_the_timeline_but_is_kept(as_therapist, episode1, cup, analytes, therapist):
    coc = analytes["COC"]
    screen = services.screen_record(
        episode=episode1, collected_at=ago(1), by=therapist, panel=cup, results={coc.pk: "positive"}
    )
    url = reverse("screening:screen_error", args=[screen.pk])
    assert as_therapist.post(url, {"reason": ""}).status_code == 302
    screen.refresh_from_db()
    assert not screen.entered_in_error  # a reason is required
    as_therapist.post(url, {"reason": "Wrong client's cup"})
    screen.refresh_from_db()
    assert screen.entered_in_error and "Wrong client's cup" in screen.notes
    page = as_therapist.get(reverse("screening:client", args=[episode1.client.pk])).content.decode()
    assert "No screens recorded in this episode." in page
    assert Screen.objects.count() == 1


def test_ended_episode_shows_history_without_entry_form(as_therapist, episode1, cup, therapist):
    services.screen_record(episode=episode1, collected_at=ago(3), by=therapist, panel=cup)
    episode1.status, episode1.ended_on, episode1.end_reason = "graduated", timezone.localdate(), "graduated"
    episode1.save()
    page = as_therapist.get(reverse("screening:client", args=[episode1.client.pk])).content.decode()
    assert "Record a screen" not in page
    assert "Negative</span>" in page
    url = reverse("screening:record", args=[episode1.client.pk])
    response = as_therapist.post(url, _entry(cup, ago(hours=1)), follow=True)
    assert "no active episode" in response.content.decode()
    assert Screen.objects.count() == 1


def test_send_to_lab_is_ticked_for_unexpected_positives_only(as_therapist, episode1, cup, analytes):
    PrescriptionFactory(client=episode1.client, analyte=analytes["BUP"], start=episode1.admitted_on)
    html = as_therapist.get(reverse("screening:client", args=[episode1.client.pk])).content.decode()
    bup, coc = analytes["BUP"], analytes["COC"]
    assert f'data-default="0" id="id_send_{bup.pk}">' in html  # expected: a prescription explains it
    assert f'data-default="1" id="id_send_{coc.pk}" checked>' in html


def test_an_expected_positive_left_unticked_stays_out_of_pending_labs(as_therapist, episode1, cup, analytes):
    bup, coc = analytes["BUP"], analytes["COC"]
    PrescriptionFactory(client=episode1.client, analyte=bup, start=episode1.admitted_on)
    data = _entry(
        cup, ago(hours=1), **{f"result_{bup.pk}": "positive", f"result_{coc.pk}": "positive", f"send_{coc.pk}": "on"}
    )
    as_therapist.post(reverse("screening:record", args=[episode1.client.pk]), data)
    assert ScreenResult.objects.get(analyte=bup).confirmation == "not_sent"
    assert ScreenResult.objects.get(analyte=coc).confirmation == "pending"
    pending = as_therapist.get(reverse("screening:pending")).content.decode()
    assert "COC" in pending and "BUP" not in pending


def test_the_form_and_tab_say_the_cup_cannot_detect_fentanyl_or_the_prescribed_methadone(
    as_therapist, episode1, cup, analytes
):
    cup.analytes.remove(analytes["MTD"])
    PrescriptionFactory(
        client=episode1.client, analyte=analytes["MTD"], medication="methadone", start=episode1.admitted_on
    )
    url = reverse("screening:client", args=[episode1.client.pk])
    html = as_therapist.get(url).content.decode()
    form_part = html.split('id="panel-blind-spots"')[1].split("</div>\n      </div>")[0]
    assert "This panel cannot detect fentanyl (FEN)." in form_part
    assert "cannot detect methadone (MTD)" in form_part
    as_therapist.post(reverse("screening:record", args=[episode1.client.pk]), _entry(cup, ago(hours=1)))
    timeline = as_therapist.get(url).content.decode().split('id="screen-timeline"')[1]
    assert "This panel cannot detect fentanyl (FEN)." in timeline and "cannot detect methadone (MTD)" in timeline


def test_no_methadone_warning_without_a_methadone_prescription(as_therapist, episode1, cup, analytes):
    cup.analytes.remove(analytes["MTD"])
    html = as_therapist.get(reverse("screening:client", args=[episode1.client.pk])).content.decode()
    assert "This panel cannot detect fentanyl (FEN)." in html and "methadone (MTD)" not in html


@pytest.mark.parametrize(
    "fields, reason",
    [
        ({"creatinine_mg_dl": "15", "specific_gravity": "1.002"}, "Invalid: dilute"),
        ({"creatinine_mg_dl": "1", "specific_gravity": "1.000"}, "Invalid: substituted"),
        ({"adulterant_noted": True}, "Invalid: adulterated"),
        ({"temperature_in_range": False}, "Invalid: temperature out of range"),
        ({"outcome": "invalid", "method": "", "observed": False}, "Invalid: recorded invalid"),
    ],
)
def test_screens_tab_says_why_a_screen_is_invalid(as_therapist, episode1, fields, reason):
    ScreenFactory(episode=episode1, **fields)
    page = as_therapist.get(reverse("screening:client", args=[episode1.client.pk])).content.decode()
    assert "Invalid</span>" in page and reason in page


def test_screens_tab_shows_an_inconclusive_result_as_inconclusive_not_invalid(as_therapist, episode1, analytes):
    screen = ScreenFactory(episode=episode1)
    ScreenResultFactory(screen=screen, analyte=analytes["COC"], result="inconclusive")
    page = as_therapist.get(reverse("screening:client", args=[episode1.client.pk])).content.decode()
    assert "Inconclusive</span>" in page and "Invalid</span>" not in page
