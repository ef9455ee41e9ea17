"""Telehealth in iop-records/2: an optional ``modality`` on sessions and attendance rows."""

import json

from attendance.models import Attendance, Session
from tests.exchange.conftest import db_counts, import_problems, run_import, write_doc
from tests.exchange.test_roundtrip import entered_then_rolled_back, export_bytes  # noqa: F401 (a fixture)


def _v2(sample):
    sample["format"] = "iop-records/2"
    return sample


def test_modality_survives_export_and_import(tmp_path, entered_then_rolled_back):  # noqa: F811 (the fixture)
    doc = json.loads(entered_then_rolled_back["bytes"])
    (individual,) = [s for s in doc["sessions"] if s["kind"] == "individual" and s["duration_minutes"] == 60]
    assert individual["modality"] == "phone"
    (group,) = [s for s in doc["sessions"] if s["group_note"] == "Discussed triggers at work."]
    assert group["modality"] == "video"
    assert all("modality" not in s for s in doc["sessions"] if s is not group and s is not individual)

    run_import(write_doc(tmp_path, entered_then_rolled_back["bytes"].decode()))

    signed = Session.objects.get(group_note="Discussed triggers at work.")
    assert signed.modality == "video"
    assert signed.signature_check == "intact"  # the digest covers the modalities
    ana_row = signed.attendance.get(episode__ref="RIC-0001-1")
    assert (ana_row.modality, ana_row.effective_modality) == ("in_person", "in_person")
    assert Session.objects.get(kind="individual", duration_minutes=60).modality == "phone"
    assert export_bytes(tmp_path, "again.json") == entered_then_rolled_back["bytes"]


def test_modality_is_optional_and_defaults_to_in_person_and_the_session(db, tmp_path, sample):
    doc = _v2(sample)
    rows = doc["clients"][0]["episodes"][0]["attendance"]
    rows[1]["modality"] = "video"  # joined that group by video
    run_import(write_doc(tmp_path, doc))
    by_date = {a.session.date.isoformat(): a for a in Attendance.objects.select_related("session")}
    assert by_date["2026-01-06"].effective_modality == "video"
    assert by_date["2026-01-05"].modality == "" and by_date["2026-01-05"].effective_modality == "in_person"
    assert set(Session.objects.values_list("modality", flat=True)) == {"in_person"}


def test_an_unknown_modality_is_refused_naming_the_record_and_nothing_is_written(db, tmp_path, sample):
    doc = _v2(sample)
    doc["clients"][0]["episodes"][0]["attendance"][0]["modality"] = "carrier-pigeon"
    doc["sessions"] = [
        {
            "site": "RIC",
            "track": None,
            "date": "2026-01-09",
            "start": "10:00",
            "kind": "individual",
            "duration_minutes": 60,
            "status": "held",
            "modality": "fax",
        }
    ]
    before = db_counts()
    err = import_problems(write_doc(tmp_path, doc))
    assert "clients[0].episodes[0].attendance[0].modality" in err
    assert "sessions[0].modality" in err
    assert db_counts() == before


def test_modality_is_a_format_2_key(db, tmp_path, sample):
    sample["clients"][0]["episodes"][0]["attendance"][0]["modality"] = "video"
    err = import_problems(write_doc(tmp_path, sample))
    assert "clients[0].episodes[0].attendance[0].modality: unknown key" in err
