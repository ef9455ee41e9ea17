import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from checkins.models import Addendum, CheckIn
from checkins.services import addendum_add, checkin_save, checkin_sign
from iop.errors import StaleEdit
from tests.factories import CheckInFactory

GOOD = {
    "cravings": 3,
    "engagement": 4,
    "mood": 4,
    "risk": "low",
    "mutual_help_meetings": 2,
    "barriers": ["transportation"],
    "note": "Steady week.",
    "recommendation": "continue",
    "rationale": "Building skills.",
    "phq9_items": [1, 1, 0, 0, 1, 0, 0, 0, 0],
    "gad7_items": [1, 1, 1, 0, 0, 0, 0],
}


def test_save_creates_a_draft_then_updates_it_with_the_version_it_saw(episode1, therapist, this_monday):
    first = checkin_save(episode=episode1, week=this_monday, author=therapist, fields=GOOD)
    assert first.version == 0 and not first.is_signed
    second = checkin_save(
        episode=episode1, week=this_monday, author=therapist, fields={"cravings": 1}, seen_version=first.version
    )
    assert second.pk == first.pk and second.version == 1
    stored = CheckIn.objects.get()
    assert stored.cravings == 1 and stored.note == "Steady week."
    assert stored.history.count() == 2  # every save is in the history


def test_second_save_of_the_same_version_is_told_it_changed_and_overwrites_nothing(episode1, therapist, this_monday):
    draft = checkin_save(episode=episode1, week=this_monday, author=therapist, fields=GOOD)
    checkin_save(episode=episode1, week=this_monday, author=therapist, fields={"note": "Mine"}, seen_version=0)
    with pytest.raises(StaleEdit, match="changed by someone else"):
        checkin_save(episode=episode1, week=this_monday, author=therapist, fields={"note": "Theirs"}, seen_version=0)
    draft.refresh_from_db()
    assert draft.note == "Mine" and draft.version == 1


def test_starting_a_new_checkin_when_one_was_just_created_is_a_conflict(episode1, therapist, this_monday):
    checkin_save(episode=episode1, week=this_monday, author=therapist, fields={"note": "First"})
    with pytest.raises(StaleEdit):
        checkin_save(episode=episode1, week=this_monday, author=therapist, fields={"note": "Second"})
    assert CheckIn.objects.get().note == "First"


def test_signing_records_who_and_when_and_locks_the_checkin(episode1, therapist, this_monday):
    draft = checkin_save(episode=episode1, week=this_monday, author=therapist, fields=GOOD)
    signed = checkin_sign(checkin=draft, by=therapist, seen_version=draft.version)
    assert signed.signed_by == therapist and signed.signed_at is not None
    with pytest.raises(ValidationError, match="signed"):
        checkin_save(
            episode=episode1,
            week=this_monday,
            author=therapist,
            fields={"note": "changed"},
            seen_version=signed.version,
        )
    with pytest.raises(ValidationError, match="already signed"):
        checkin_sign(checkin=draft, by=therapist)
    assert CheckIn.objects.get().note == "Steady week."


def test_signing_a_stale_version_is_refused(episode1, therapist, this_monday):
    draft = checkin_save(episode=episode1, week=this_monday, author=therapist, fields=GOOD)
    checkin_save(episode=episode1, week=this_monday, author=therapist, fields={"note": "x"}, seen_version=0)
    with pytest.raises(StaleEdit):
        checkin_sign(checkin=draft, by=therapist, seen_version=0)
    assert not CheckIn.objects.get().is_signed


def test_addendum_is_refused_on_a_draft(episode1, therapist, this_monday):
    draft = checkin_save(episode=episode1, week=this_monday, author=therapist, fields=GOOD)
    with pytest.raises(ValidationError, match="only be added to a signed"):
        addendum_add(checkin=draft, by=therapist, text="Late note")
    assert Addendum.objects.count() == 0


def test_addendum_on_a_signed_checkin_keeps_the_signed_text(signed_checkin, therapist):
    addendum_add(checkin=signed_checkin, by=therapist, text="Client called: missed Thursday for court.")
    signed_checkin.refresh_from_db()
    assert signed_checkin.note == "Doing well; attended all groups."
    assert [a.text for a in signed_checkin.addenda.all()] == ["Client called: missed Thursday for court."]


def test_blank_addendum_is_refused(signed_checkin, therapist):
    with pytest.raises(ValidationError):
        addendum_add(checkin=signed_checkin, by=therapist, text="   ")
    assert Addendum.objects.count() == 0


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"cravings": 11}, "cravings"),
        ({"cravings": -1}, "cravings"),
        ({"engagement": 0}, "engagement"),
        ({"engagement": 6}, "engagement"),
        ({"mood": 0}, "mood"),
        ({"mood": 6}, "mood"),
        ({"mutual_help_meetings": -2}, "mutual_help_meetings"),
        ({"risk": "extreme"}, "risk"),
        ({"recommendation": "vacation"}, "recommendation"),
        ({"barriers": ["weather"]}, "barriers"),
        ({"phq9_items": [0] * 8 + [4]}, "phq9_items"),
        ({"phq9_items": [0] * 8}, "phq9_items"),
        ({"gad7_items": [0] * 6 + [-1]}, "gad7_items"),
        ({"gad7_items": [1] * 9}, "gad7_items"),
    ],
)
def test_out_of_range_values_are_refused_and_nothing_saved(episode1, therapist, this_monday, fields, field):
    with pytest.raises(ValidationError) as info:
        checkin_save(episode=episode1, week=this_monday, author=therapist, fields=fields)
    assert field in info.value.message_dict
    assert CheckIn.objects.count() == 0


@pytest.mark.parametrize(
    "week_for, message",
    [
        (lambda ep, mon: mon + dt.timedelta(days=1), "starts on a Monday"),
        (lambda ep, mon: mon + dt.timedelta(weeks=1), "not started yet"),
        (lambda ep, mon: mon - dt.timedelta(weeks=20), "before the admission"),
    ],
)
def test_bad_weeks_are_refused_with_a_clear_message(episode1, therapist, this_monday, week_for, message):
    with pytest.raises(ValidationError, match=message):
        checkin_save(episode=episode1, week=week_for(episode1, this_monday), author=therapist, fields=GOOD)
    assert CheckIn.objects.count() == 0


def test_week_after_the_episode_ended_is_refused(episode1, therapist, this_monday):
    episode1.status = "graduated"
    episode1.ended_on = this_monday - dt.timedelta(weeks=2)
    episode1.save()
    with pytest.raises(ValidationError, match="not active that week"):
        checkin_save(episode=episode1, week=this_monday, author=therapist, fields=GOOD)
    # the last week it was open is fine
    checkin_save(episode=episode1, week=this_monday - dt.timedelta(weeks=2), author=therapist, fields=GOOD)
    assert CheckIn.objects.count() == 1


def test_admission_week_is_allowed_even_if_admitted_midweek(episode1, therapist):
    episode1.admitted_on = dt.date(2026, 1, 7)  # a Wednesday
    episode1.save()
    checkin_save(episode=episode1, week=dt.date(2026, 1, 5), author=therapist, fields=GOOD)
    assert CheckIn.objects.count() == 1


def test_database_allows_one_checkin_per_episode_per_week(episode1, therapist, this_monday):
    CheckInFactory(episode=episode1, week=this_monday, author=therapist)
    with pytest.raises(IntegrityError), transaction.atomic():
        CheckInFactory(episode=episode1, week=this_monday, author=therapist)
    CheckInFactory(episode=episode1, week=this_monday - dt.timedelta(weeks=1), author=therapist)
    assert CheckIn.objects.count() == 2


def test_database_refuses_out_of_range_cravings(episode1, therapist, this_monday):
    with pytest.raises(IntegrityError), transaction.atomic():
        CheckInFactory(episode=episode1, week=this_monday, author=therapist, cravings=11)


def test_the_service_refuses_to_sign_an_unassessed_item9_and_writes_nothing(episode1, therapist, this_monday):
    fields = {**GOOD, "risk": "none", "phq9_items": [0] * 8 + [1]}
    draft = checkin_save(episode=episode1, week=this_monday, author=therapist, fields=fields)
    with pytest.raises(ValidationError) as caught:
        checkin_sign(checkin=draft, by=therapist, seen_version=draft.version)
    assert set(caught.value.message_dict) == {"risk", "safety_note"}
    draft.refresh_from_db()
    assert not draft.is_signed and draft.version == 0


def test_the_service_refuses_to_sign_without_a_chosen_risk_or_recommendation(episode1, therapist, this_monday):
    draft = checkin_save(episode=episode1, week=this_monday, author=therapist, fields={"cravings": 2})
    assert draft.risk == "" and draft.recommendation == ""
    with pytest.raises(ValidationError) as caught:
        checkin_sign(checkin=draft, by=therapist)
    assert set(caught.value.message_dict) == {"risk", "recommendation"}


def test_a_note_over_10000_characters_is_refused(episode1, therapist, this_monday):
    with pytest.raises(ValidationError) as caught:
        checkin_save(episode=episode1, week=this_monday, author=therapist, fields={**GOOD, "note": "x" * 10_001})
    assert "note" in caught.value.message_dict
    assert not CheckIn.objects.exists()
