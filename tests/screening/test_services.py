import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from iop.dates import aware_at
from screening import services
from screening.models import Prescription, Screen, ScreenResult
from tests.factories import EpisodeFactory
from tests.screening.conftest import ago

pytestmark = pytest.mark.django_db


def test_negative_cup_writes_one_negative_result_per_panel_analyte(episode1, cup, therapist):
    screen = services.screen_record(episode=episode1, collected_at=ago(1), by=therapist, panel=cup)
    results = list(screen.results.all())
    assert len(results) == 12
    assert {r.result for r in results} == {"negative"}
    assert screen.collected_by == therapist
    assert screen.history.count() == 1
    assert ScreenResult.history.filter(screen_id=screen.pk).count() == 12


def test_positive_sent_for_confirmation_is_pending_and_negatives_are_not_sent(episode1, cup, analytes, therapist):
    coc = analytes["COC"]
    screen = services.screen_record(
        episode=episode1,
        collected_at=ago(1),
        by=therapist,
        panel=cup,
        results={coc.pk: "positive"},
        levels={coc.pk: D("450")},
        send_for_confirmation=True,
    )
    row = screen.results.get(analyte=coc)
    assert (row.result, row.confirmation, row.level_ng_ml) == ("positive", "pending", D("450"))
    assert row.confirmation_sent_on == timezone.localdate()
    assert screen.results.filter(confirmation="pending").count() == 1


def test_refusal_needs_a_reason_and_writes_no_results(episode1, therapist):
    with pytest.raises(ValidationError) as exc:
        services.screen_record(episode=episode1, collected_at=ago(1), by=therapist, outcome="refused", reason=" ")
    assert "reason" in exc.value.message_dict
    screen = services.screen_record(
        episode=episode1, collected_at=ago(1), by=therapist, outcome="refused", reason="Declined at front desk"
    )
    assert screen.outcome == "refused"
    assert screen.results.count() == 0


def test_temperature_sets_in_range_flag(episode1, cup, therapist):
    screen = services.screen_record(
        episode=episode1, collected_at=ago(1), by=therapist, panel=cup, validity={"temperature_c": D("30.5")}
    )
    assert screen.temperature_in_range is False


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"collected_at": "future"}, "collected_at", "in the future"),
        ({"collected_at": "before_admission"}, "collected_at", "before the admission"),
        ({"results": "outside_panel"}, "__all__", "not on the 12-panel cup panel"),
        ({"levels": {"COC": D("-1")}}, "__all__", "below 0"),
        ({"validity": {"temperature_c": D("19.9")}}, "temperature_c", "between 20 and 45"),
        ({"validity": {"temperature_c": D("45.1")}}, "temperature_c", "between 20 and 45"),
        ({"validity": {"ph": D("-0.1")}}, "ph", "between 0 and 14"),
        ({"validity": {"ph": D("14.1")}}, "ph", "between 0 and 14"),
        ({"validity": {"creatinine_mg_dl": D("-1")}}, "creatinine_mg_dl", "cannot be negative"),
        ({"panel": None}, "panel", "Choose the panel"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_saved(
    episode1, cup, analytes, therapist, kwargs, field, message
):
    args = {"episode": episode1, "collected_at": ago(1), "by": therapist, "panel": cup}
    if kwargs.get("collected_at") == "future":
        kwargs = {"collected_at": timezone.now() + dt.timedelta(minutes=5)}
    elif kwargs.get("collected_at") == "before_admission":
        # The evening before the admission day, in local time (a count of days back from now
        # would cross a daylight-saving change and land on the admission day itself).
        kwargs = {"collected_at": aware_at(episode1.admitted_on - dt.timedelta(days=1), hour=20)}
    elif kwargs.get("results") == "outside_panel":
        kwargs = {"results": {analytes["FEN"].pk: "positive"}}
    elif "levels" in kwargs:
        kwargs = {"levels": {analytes[k].pk: v for k, v in kwargs["levels"].items()}}
    args.update(kwargs)
    with pytest.raises(ValidationError) as exc:
        services.screen_record(**args)
    assert message in " ".join(exc.value.message_dict[field])
    assert Screen.objects.count() == 0
    assert ScreenResult.objects.count() == 0


def test_second_screen_in_the_same_minute_is_refused(episode1, cup, therapist):
    moment = ago(1)
    services.screen_record(episode=episode1, collected_at=moment, by=therapist, panel=cup)
    with pytest.raises(ValidationError) as exc:
        services.screen_record(
            episode=episode1, collected_at=moment + dt.timedelta(seconds=30), by=therapist, panel=cup
        )
    assert "already recorded" in " ".join(exc.value.message_dict["collected_at"])
    assert Screen.objects.count() == 1
    assert ScreenResult.objects.count() == 12


def test_same_minute_for_another_episode_is_fine(episode1, cup, therapist, site1):
    moment = ago(1)
    other = EpisodeFactory(site=site1)
    services.screen_record(episode=episode1, collected_at=moment, by=therapist, panel=cup)
    services.screen_record(episode=other, collected_at=moment, by=therapist, panel=cup)
    assert Screen.objects.count() == 2


def _positive(episode1, cup, analytes, therapist, send=True):
    coc = analytes["COC"]
    screen = services.screen_record(
        episode=episode1,
        collected_at=ago(2),
        by=therapist,
        panel=cup,
        results={coc.pk: "positive"},
        send_for_confirmation=send,
    )
    return screen.results.get(analyte=coc)


def test_lab_confirmed_negative_is_recorded_with_date(episode1, cup, analytes, therapist):
    result = _positive(episode1, cup, analytes, therapist)
    services.result_confirm(result=result, confirmation="confirmed_negative", by=therapist, seen="pending")
    result.refresh_from_db()
    assert result.confirmation == "confirmed_negative"
    assert result.confirmed_on == timezone.localdate()


def test_confirmation_changed_since_seen_overwrites_nothing(episode1, cup, analytes, therapist):
    result = _positive(episode1, cup, analytes, therapist)
    services.result_confirm(result=result, confirmation="confirmed_positive", by=therapist, seen="pending")
    with pytest.raises(ValidationError, match="changed by someone else"):
        services.result_confirm(result=result, confirmation="confirmed_negative", by=therapist, seen="pending")
    result.refresh_from_db()
    assert result.confirmation == "confirmed_positive"


@pytest.mark.parametrize(
    ("confirmed_on", "message"),
    [(dt.timedelta(days=1), "in the future"), (dt.timedelta(days=-10), "before the collection")],
)
def test_lab_result_date_must_be_between_collection_and_today(
    episode1, cup, analytes, therapist, confirmed_on, message
):
    result = _positive(episode1, cup, analytes, therapist)
    with pytest.raises(ValidationError, match=message):
        services.result_confirm(
            result=result,
            confirmation="confirmed_negative",
            by=therapist,
            confirmed_on=timezone.localdate() + confirmed_on,
        )
    result.refresh_from_db()
    assert result.confirmation == "pending"


def test_send_for_confirmation_only_from_not_sent(episode1, cup, analytes, therapist):
    result = _positive(episode1, cup, analytes, therapist, send=False)
    assert result.confirmation == "not_sent"
    services.result_send_for_confirmation(result=result, by=therapist)
    result.refresh_from_db()
    assert result.confirmation == "pending"
    with pytest.raises(ValidationError, match="already pending"):
        services.result_send_for_confirmation(result=result, by=therapist)


def test_negative_result_cannot_be_sent_or_confirmed(episode1, cup, analytes, therapist):
    screen = services.screen_record(episode=episode1, collected_at=ago(1), by=therapist, panel=cup)
    negative = screen.results.first()
    with pytest.raises(ValidationError):
        services.result_send_for_confirmation(result=negative, by=therapist)
    with pytest.raises(ValidationError):
        services.result_confirm(result=negative, confirmation="confirmed_positive", by=therapist)


def test_prescription_add_end_and_entered_in_error(episode1, analytes, casemanager):
    rx = services.prescription_add(
        client=episode1.client,
        analyte=analytes["BUP"],
        medication="Buprenorphine/naloxone 8/2 mg",
        start=timezone.localdate() - dt.timedelta(days=30),
        by=casemanager,
    )
    assert rx.active_on(timezone.localdate())
    services.prescription_end(prescription=rx, end=timezone.localdate(), by=casemanager)
    with pytest.raises(ValidationError, match="before the start"):
        services.prescription_end(prescription=rx, end=rx.start - dt.timedelta(days=1), by=casemanager)
    services.prescription_mark_error(prescription=rx, by=casemanager)
    rx.refresh_from_db()
    assert rx.entered_in_error and rx.end == timezone.localdate()
    assert Prescription.objects.count() == 1  # never deleted
    assert rx.history.count() == 3


def test_prescription_ending_before_start_is_refused(episode1, analytes, casemanager):
    with pytest.raises(ValidationError):
        services.prescription_add(
            client=episode1.client,
            analyte=analytes["BUP"],
            medication="Buprenorphine",
            start=timezone.localdate(),
            end=timezone.localdate() - dt.timedelta(days=1),
            by=casemanager,
        )
    assert not Prescription.objects.exists()
