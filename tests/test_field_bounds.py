"""Issue 12 #16 "Lax validation": each bound as a field error on the form, a model validator
(so services, the admin and ``full_clean`` refuse it) and a problem from the importer."""

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from attendance.forms import RosterForm
from attendance.models import Attendance, Session
from clients.forms import ClientForm
from exchange.validation import Known, validate
from iop import validators
from screening import services as screening_services
from screening.models import Analyte, Panel, Prescription, Screen
from tests.exchange.conftest import ANALYTE_CODES, SAMPLE
from tests.factories import ClientFactory, PrescriptionFactory, SessionFactory

TODAY = dt.date(2026, 3, 2)
EP = "clients[0].episodes[0]"
TOO_LONG = "x" * (validators.NOTE_MAX_LENGTH + 1)  # ~10 KB; 100 KB notes are refused the same way


def _import_problems(change):
    doc = json.loads(SAMPLE.read_text())
    change(doc["clients"][0])
    return validate(doc, Known(today=TODAY, analytes=set(ANALYTE_CODES)))[1]


# -- phone numbers ---------------------------------------------------------------------------
@pytest.mark.parametrize("phone", ["[]", "-1", "555\x000100", "555\t0100", "555-01", "1" * 21, "call me"])
def test_a_phone_that_is_not_a_number_is_a_field_error(db, phone):
    form = ClientForm(data={"first_name": "A", "last_name": "B", "date_of_birth": "1990-01-01", "phone": phone})
    assert "phone" in form.errors
    form = ClientForm(
        data={"first_name": "A", "last_name": "B", "date_of_birth": "1990-01-01", "emergency_contact_phone": phone}
    )
    assert "emergency_contact_phone" in form.errors


@pytest.mark.parametrize("phone", ["", "555-0100", "+1 (401) 555-0100", "401.555.0100", "+44 20 7946 0958"])
def test_real_phone_numbers_are_accepted(phone):
    assert validators.phone_problem(phone) is None


def test_the_model_refuses_a_bad_phone_for_every_path(db):
    client = ClientFactory.build(phone="-1")
    with pytest.raises(ValidationError) as caught:
        client.full_clean(exclude=["mrn"])
    assert "phone" in caught.value.message_dict


# -- dates of birth --------------------------------------------------------------------------
def test_a_date_of_birth_in_1900_is_refused_by_the_importer():
    problems = _import_problems(lambda c: c.update(date_of_birth="1900-01-01"))
    assert any(p.startswith("clients[0].date_of_birth: Date of birth 01/01/1900 would make") for p in problems)


# -- session dates ---------------------------------------------------------------------------
def test_a_session_dated_1900_is_refused_on_the_session_form(as_therapist, site1, track1):
    data = {
        "site": site1.pk,
        "track": track1.pk,
        "kind": "group",
        "date": "1900-01-01",
        "start_time": "10:00",
        "duration_minutes": 90,
        "status": "held",
    }
    response = as_therapist.post(reverse("attendance:session_create"), data)
    assert "at most 5 years back" in response.content.decode()
    assert not Session.objects.exists()


def test_an_individual_session_dated_1900_is_refused(as_therapist, episode1):
    data = {"kind": "individual", "date": "1900-01-01", "start_time": "15:00", "duration_minutes": 50}
    response = as_therapist.post(
        reverse("attendance:individual_log", args=[episode1.client_id]), data | {"status": "present"}
    )
    assert response.status_code == 400 and "at most 5 years back" in response.content.decode()
    assert not Attendance.objects.exists()


def test_an_attendance_row_dated_1900_is_refused_by_the_importer():
    def change(client):
        client["episodes"][0]["admitted_on"] = "1900-01-01"
        client["episodes"][0]["attendance"][0]["date"] = "1900-01-02"

    assert f"{EP}.attendance[0].date: A session date is at most 5 years back: check the year of 01/02/1900." in (
        _import_problems(change)
    )


# -- prescriptions ---------------------------------------------------------------------------
def test_a_prescription_ending_in_9999_is_refused(as_casemanager, episode1):
    bup = Analyte.objects.get(code="BUP")
    data = {"medication": "Suboxone", "analyte": bup.pk, "start": episode1.admitted_on.isoformat(), "end": "9999-12-31"}
    response = as_casemanager.post(reverse("screening:prescription_add", args=[episode1.client.pk]), data)
    assert response.status_code == 400 and "within 5 years of its start" in response.content.decode()
    assert not Prescription.objects.exists()


def test_setting_a_prescription_end_in_9999_is_refused(episode1, casemanager):
    rx = PrescriptionFactory(
        client=episode1.client, analyte=Analyte.objects.get(code="BUP"), start=episode1.admitted_on
    )
    with pytest.raises(ValidationError):
        screening_services.prescription_end(prescription=rx, end=dt.date(9999, 12, 31), by=casemanager)
    rx.refresh_from_db()
    assert rx.end is None


def test_a_prescription_ending_in_9999_is_refused_by_the_importer():
    problems = _import_problems(lambda c: c["episodes"][0]["prescriptions"][0].update(end="9999-12-31"))
    assert any(p.startswith(f"{EP}.prescriptions[0].end: A prescription ends within 5 years") for p in problems)


# -- screen outcomes -------------------------------------------------------------------------
def test_an_unknown_screen_outcome_is_refused_not_saved_as_completed(as_therapist, episode1):
    when = timezone.localtime().replace(second=0, microsecond=0) - dt.timedelta(hours=1)
    cup = Panel.objects.get(name="12-panel cup")
    data = {"outcome": "exploded", "collected_at": when.strftime("%Y-%m-%dT%H:%M"), "reason": "x", "panel": cup.pk}
    data |= {f"result_{a.pk}": "negative" for a in cup.analytes.all()} | {"method": "poc"}
    response = as_therapist.post(reverse("screening:record", args=[episode1.client.pk]), data)
    assert response.status_code == 400 and "choose completed, refused or missed" in response.content.decode()
    assert not Screen.objects.exists()


# -- note lengths ----------------------------------------------------------------------------
def test_an_oversized_screen_note_is_a_field_error(as_therapist, episode1):
    cup = Panel.objects.get(name="12-panel cup")
    when = timezone.localtime().replace(second=0, microsecond=0) - dt.timedelta(hours=1)
    data = {"panel": cup.pk, "outcome": "completed", "collected_at": when.strftime("%Y-%m-%dT%H:%M"), "method": "poc"}
    data |= {f"result_{a.pk}": "negative" for a in cup.analytes.all()} | {"notes": TOO_LONG}
    response = as_therapist.post(reverse("screening:record", args=[episode1.client.pk]), data)
    assert response.status_code == 400 and "at most 10000 characters" in response.content.decode()
    assert not Screen.objects.exists()


def test_an_oversized_group_note_is_a_field_error(episode1):
    session = SessionFactory(site=episode1.site, track=episode1.track)
    form = RosterForm(
        data={"version": "0", "group_note": TOO_LONG, f"status_{episode1.pk}": "present"},
        session=session,
        episodes=[episode1],
        existing={},
    )
    assert "group_note" in form.errors


def test_an_oversized_attendance_note_is_refused_by_the_importer():
    problems = _import_problems(lambda c: c["episodes"][0]["attendance"][0].update(note=TOO_LONG))
    assert f"{EP}.attendance[0].note: longer than 10000 characters" in problems


def test_an_oversized_entered_in_error_reason_is_refused(as_casemanager, episode1, therapist):
    cup = Panel.objects.get(name="12-panel cup")
    when = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(hours=1)
    screen = screening_services.screen_record(episode=episode1, collected_at=when, by=therapist, panel=cup)
    response = as_casemanager.post(
        reverse("screening:screen_error", args=[screen.pk]), {"reason": "x" * 100_000}, follow=True
    )
    assert "at most 200 characters" in response.content.decode()
    screen.refresh_from_db()
    assert not screen.entered_in_error and screen.notes == ""
