"""A monthly continuing-care track goes through import (/2) and export unchanged; bad cadence
fields are refused with their JSON path and nothing written."""

import json

import pytest

from programs.models import Track
from tests.exchange.conftest import db_counts, import_problems, run_import, write_doc
from tests.factories import SiteFactory, TrackFactory

ALUMNI = {
    "code": "RIC-ALU",
    "site": "RIC",
    "name": "Alumni group",
    "weekdays": ["tue"],
    "start": "18:00",
    "end": "19:30",
    "cadence": "monthly",
    "month_week": 1,
    "continuing_care": True,
}


def _doc(track):
    return {"format": "iop-records/2", "sites": [{"code": "RIC", "name": "Richmond"}], "tracks": [track]}


def test_a_monthly_continuing_care_track_imports(tmp_path):
    run_import(write_doc(tmp_path, _doc(ALUMNI)))
    track = Track.objects.get(code="RIC-ALU")
    assert (track.cadence, track.month_week, track.continuing_care) == ("monthly", 1, True)
    assert track.schedule_label == "First Tuesday of the month"


def test_a_track_without_a_cadence_is_weekly(tmp_path):
    weekly = {k: v for k, v in ALUMNI.items() if k not in ("cadence", "month_week", "continuing_care")}
    run_import(write_doc(tmp_path, _doc(weekly)))
    track = Track.objects.get(code="RIC-ALU")
    assert (track.cadence, track.month_week, track.continuing_care) == ("weekly", None, False)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"month_week": None}, "tracks[0].month_week: a monthly track needs its week of the month"),
        ({"month_week": 5}, "tracks[0].month_week: 5 is outside -1–4"),
        ({"cadence": "weekly"}, "tracks[0].month_week: only a monthly track has a week of the month"),
        ({"cadence": "yearly"}, 'tracks[0].cadence: "yearly" is not one of: weekly, monthly'),
        ({"continuing_care": "yes"}, "tracks[0].continuing_care: expected"),
    ],
)
def test_bad_cadence_fields_are_refused(tmp_path, db, change, message):
    before = db_counts()
    assert message in import_problems(write_doc(tmp_path, _doc({**ALUMNI, **change})))
    assert db_counts() == before


def test_the_export_writes_the_cadence(tmp_path, db):
    from django.core.management import call_command

    site = SiteFactory(code="RIC", name="Richmond")
    TrackFactory(site=site, code="RIC-ALU", name="Alumni group", weekdays=["tue"], cadence="monthly", month_week=-1)
    path = tmp_path / "out.json"
    call_command("export_records", str(path))
    (track,) = json.loads(path.read_text())["tracks"]
    assert (track["cadence"], track["month_week"], track["continuing_care"]) == ("monthly", -1, False)
