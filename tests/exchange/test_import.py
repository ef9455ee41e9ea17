"""import_records: writes, matching of what exists, history, staff, summary and progress."""

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model

from attendance.models import Attendance, Session
from checkins.models import CheckIn
from clients.models import Client, Episode
from clients.services import client_intake
from goals.models import GoalRating, Worksheet
from programs.models import Site
from programs.roles import CASE_MANAGER, THERAPIST
from screening.models import Prescription, Screen, ScreenResult
from tests.exchange.conftest import MODELS, SAMPLE, db_counts, run_import, write_doc

SUMMARY_ALL = (
    "Imported 2 clients, 3 episodes, 5 sessions, 6 attendance rows, 2 screens, 2 goals, 1 worksheets, 1 check-ins, "
    "0 addenda, 0 decisions."
)
SUMMARY_NONE = (
    "Imported 0 clients, 0 episodes, 0 sessions, 0 attendance rows, 0 screens, 0 goals, 0 worksheets, 0 check-ins, "
    "0 addenda, 0 decisions."
)


def test_import_writes_every_record_and_prints_a_one_line_summary(db):
    out, err = run_import(SAMPLE)

    assert out.strip() == SUMMARY_ALL
    assert err == ""
    ana = Client.objects.get(mrn="RIC-0001")
    episode = Episode.objects.get(ref="RIC-0001-1")
    assert (ana.first_name, episode.client, episode.track.code) == ("Ana", ana, "RIC-EVE")
    assert episode.primary_therapist.username == "jdoe"
    assert Episode.objects.get(ref="RIC-0002-1").status == Episode.Status.GRADUATED
    assert str(Episode.objects.get(ref="RIC-0002-1").required_weekly_hours) == "9.5"
    assert Prescription.objects.get(client=ana).analyte.code == "BUP"
    assert episode.level_changes.get().reason == "Admission"


def test_attendance_rows_of_one_slot_share_one_session(db):
    run_import(SAMPLE)

    session = Session.objects.get(date="2026-01-05", kind=Session.Kind.GROUP)
    assert session.duration_minutes == 180
    assert session.status == Session.Status.HELD
    assert sorted(session.attendance.values_list("episode__ref", flat=True)) == ["RIC-0001-1", "RIC-0002-2"]
    individual = Session.objects.get(kind=Session.Kind.INDIVIDUAL)
    assert individual.track is None
    assert Attendance.objects.get(session__date="2026-01-06").minutes_attended == 150


def test_minutes_attended_defaults_to_the_duration_for_a_present_client(db):
    run_import(SAMPLE)

    assert Attendance.objects.get(episode__ref="RIC-0002-1").minutes_attended == 180


def test_cancelled_rows_make_a_cancelled_session(db, tmp_path, sample):
    row = {"date": "2026-01-12", "start": "18:00", "kind": "group", "duration_minutes": 180, "status": "cancelled"}
    sample["clients"][0]["episodes"][0]["attendance"].append(row)

    run_import(write_doc(tmp_path, sample))

    session = Session.objects.get(date="2026-01-12")
    assert session.status == Session.Status.CANCELLED
    assert session.attendance.get().minutes_attended == 0


def test_screen_results_and_confirmations_are_mapped(db):
    run_import(SAMPLE)

    screen = Screen.objects.get(outcome=Screen.Outcome.COMPLETED)
    results = {r.analyte.code: (r.result, r.confirmation) for r in screen.results.select_related("analyte")}
    assert results == {
        "BUP": ("positive", ScreenResult.Confirmation.CONFIRMED_POSITIVE),
        "FEN": ("negative", ScreenResult.Confirmation.NOT_SENT),
        "THC": ("negative", ScreenResult.Confirmation.NOT_SENT),
    }
    refused = Screen.objects.get(outcome=Screen.Outcome.REFUSED)
    assert (refused.reason, refused.observed, refused.results.count()) == ("Declined", False, 0)
    assert f"{refused.collected_at:%H:%M}" != "" and refused.collected_at.tzinfo is not None


def test_signed_checkin_is_signed_by_the_episodes_therapist(db):
    run_import(SAMPLE)

    checkin = CheckIn.objects.get()
    assert checkin.signed_at is not None
    assert checkin.signed_by.username == "jdoe"
    assert checkin.author.username == "jdoe"
    assert (checkin.cravings, checkin.note) == (4, "Settling in.")


def test_worksheet_ratings_are_attached_to_goals_by_ref(db):
    run_import(SAMPLE)

    sheet = Worksheet.objects.get()
    assert dict(GoalRating.objects.filter(worksheet=sheet).values_list("goal__ref", "rating")) == {"G1": 3, "G2": 1}


def test_staff_become_users_with_no_usable_password_their_role_and_sites(db):
    run_import(SAMPLE)

    jdoe = get_user_model().objects.get(username="jdoe")
    assert not jdoe.has_usable_password()
    assert (jdoe.first_name, jdoe.last_name) == ("Jane", "Doe")
    assert list(jdoe.groups.values_list("name", flat=True)) == [THERAPIST]
    assert list(jdoe.sites.values_list("code", flat=True)) == ["RIC"]
    assert get_user_model().objects.get(username="msmith").groups.get().name == CASE_MANAGER


def test_reimporting_the_same_file_changes_nothing(db):
    run_import(SAMPLE)
    before = db_counts()

    out, _ = run_import(SAMPLE)

    assert out.strip() == SUMMARY_NONE
    assert db_counts() == before


def test_a_file_extending_an_earlier_one_adds_only_what_is_new(db, tmp_path, sample):
    run_import(SAMPLE)
    before = db_counts()
    episode = sample["clients"][0]["episodes"][0]
    episode["attendance"].append(
        {"date": "2026-01-12", "start": "18:00", "kind": "group", "duration_minutes": 180, "status": "present"}
    )
    episode["screens"].append(
        {"collected_at": "2026-01-20T18:30", "outcome": "completed", "results": {"COC": "negative"}}
    )
    episode["worksheets"].append({"week": "2026-01-12", "ratings": {"G1": 4}})
    sample["clients"].append(
        {
            "mrn": "RIC-0003",
            "first_name": "Cy",
            "last_name": "Park",
            "date_of_birth": "2000-02-29",
            "episodes": [
                {
                    "ref": "RIC-0003-1",
                    "site": "RIC",
                    "track": "RIC-EVE",
                    "admitted_on": "2026-01-12",
                    "status": "active",
                    "attendance": [
                        {
                            "date": "2026-01-12",
                            "start": "18:00",
                            "kind": "group",
                            "duration_minutes": 180,
                            "status": "late",
                            "minutes_attended": 150,
                        }
                    ],
                }
            ],
        }
    )

    out, _ = run_import(write_doc(tmp_path, sample, "extended.json"))

    assert out.strip() == (
        "Imported 1 clients, 1 episodes, 1 sessions, 2 attendance rows, 1 screens, 0 goals, 1 worksheets, 0 check-ins, "
        "0 addenda, 0 decisions."
    )
    after = db_counts()
    assert after["Client"] == before["Client"] + 1
    assert after["Session"] == before["Session"] + 1
    assert after["ScreenResult"] == before["ScreenResult"] + 1
    assert after["GoalRating"] == before["GoalRating"] + 1
    assert after["Prescription"] == before["Prescription"]
    assert Session.objects.get(date="2026-01-12").attendance.count() == 2


def test_imported_rows_have_history_naming_the_file_and_time(db):
    run_import(SAMPLE)

    pattern = re.compile(r"^imported from sample\.json at \d{4}-\d\d-\d\d \d\d:\d\d$")
    for model in MODELS:
        if not hasattr(model, "history") or model.__name__ in ("Site", "Track"):
            continue
        reasons = set(model.history.values_list("history_change_reason", flat=True))
        assert model.history.count() == model.objects.count() > 0, model.__name__
        assert all(pattern.match(reason) for reason in reasons), (model.__name__, reasons)
    assert Site.history.get().history_change_reason.startswith("imported from sample.json at ")


def test_progress_bar_shows_only_on_a_terminal(db):
    out, _ = run_import(SAMPLE, tty=True)

    assert "\r[" in out and "#" in out
    assert out.strip().endswith(SUMMARY_ALL)


def test_next_intake_after_an_import_gets_a_fresh_mrn(db):
    run_import(SAMPLE)
    site = Site.objects.get(code="RIC")

    client, _ = client_intake(
        client_fields={"first_name": "Di", "last_name": "Lee", "date_of_birth": dt.date(1980, 1, 1)},
        episode_fields={"site": site, "admitted_on": dt.date(2026, 2, 2)},
    )

    assert client.mrn == "RIC-0003"


@pytest.mark.parametrize("name", ["therapist", "case_manager"])
def test_episode_staff_may_be_existing_users_not_in_the_file(db, tmp_path, sample, therapist, name):
    sample["clients"][0]["episodes"][0][name] = "therapist"

    run_import(write_doc(tmp_path, sample))

    assert getattr(Episode.objects.get(ref="RIC-0001-1"), "primary_" + name if name == "therapist" else name) == (
        therapist
    )
