"""exchange.validation without a database: what the file may refer to comes from ``Known``."""

import datetime as dt
import json

import pytest

from exchange.validation import Known, parse, validate
from tests.exchange.conftest import ANALYTE_CODES, SAMPLE

TODAY = dt.date(2026, 3, 2)
EP = "clients[0].episodes[0]"


def known(**kwargs):
    return Known(today=TODAY, analytes=set(ANALYTE_CODES), **kwargs)


def sample():
    return json.loads(SAMPLE.read_text())


def test_the_sample_is_valid_and_normalised():
    doc, problems = validate(sample(), known())

    assert problems == []
    episode = doc["clients"][0]["episodes"][0]
    assert episode["admitted_on"] == dt.date(2026, 1, 5)
    assert episode["screens"][0]["collected_at"] == dt.datetime(2026, 1, 6, 18, 30)
    assert episode["attendance"][3]["_slot"] == ("RIC", None, dt.date(2026, 1, 9), dt.time(10), "individual")
    assert doc["clients"][1]["episodes"][1]["required_weekly_hours"] == 9  # the default


def test_an_extension_file_may_refer_to_records_already_in_the_database():
    doc = {
        "format": "iop-records/1",
        "clients": [
            {
                "mrn": "RIC-0001",
                "first_name": "Ana",
                "last_name": "Diaz",
                "date_of_birth": "1990-01-31",
                "episodes": [
                    {
                        "ref": "RIC-0001-1",
                        "site": "RIC",
                        "track": "RIC-EVE",
                        "therapist": "jdoe",
                        "admitted_on": "2026-01-05",
                        "status": "active",
                        "worksheets": [{"week": "2026-01-12", "ratings": {"G1": 4}}],
                    }
                ],
            }
        ],
    }
    in_db = known(
        sites={"RIC"},
        tracks={"RIC-EVE": "RIC"},
        staff={"jdoe"},
        episodes={"RIC-0001-1": ("RIC-0001", "active")},
        active_episodes={"RIC-0001": "RIC-0001-1"},
        goals={"RIC-0001-1": {"G1"}},
    )

    assert validate(doc, in_db)[1] == []
    assert f"{EP}.worksheets[0].ratings.G1: unknown goal" in validate(doc, known(**_refs()))[1]


def _refs():
    return {"sites": {"RIC"}, "tracks": {"RIC-EVE": "RIC"}, "staff": {"jdoe"}}


@pytest.mark.parametrize(
    "in_db, problem",
    [
        (
            {"tracks": {"RIC-EVE": "NOR"}, "sites": {"NOR"}},
            "tracks[0].site: track 'RIC-EVE' already exists at site 'NOR'",
        ),
        (
            {"episodes": {"RIC-0001-1": ("RIC-0042", "active")}},
            f"{EP}.ref: episode 'RIC-0001-1' already belongs to client 'RIC-0042'",
        ),
        (
            {"sessions": {("RIC", "RIC-EVE", dt.date(2026, 1, 5), dt.time(18), "group"): [(120, False)]}},
            f"{EP}.attendance[0].duration_minutes: 180 differs from 120 at the existing session",
        ),
        (
            {"sessions": {("RIC", "RIC-EVE", dt.date(2026, 1, 6), dt.time(18), "group"): [(180, True)]}},
            f"{EP}.attendance[1].status: the session is cancelled at the existing session",
        ),
    ],
    ids=["track at another site", "ref of another client", "session length", "cancelled session"],
)
def test_a_file_contradicting_the_database_is_refused(in_db, problem):
    assert problem in validate(sample(), known(**in_db))[1]


@pytest.mark.parametrize(
    "change, problem",
    [
        (lambda e: e.update(therapist=None), f"{EP}.checkins[0]: a check-in needs the episode's therapist"),
        (lambda e: e["screens"][0]["confirmation"].update(COC="positive"), "confirmation.COC: no result for this"),
        (lambda e: e.update(status="graduated"), f"{EP}.ended_on: required when status is 'graduated'"),
        (lambda e: e.update(ended_on="2026-02-01"), f"{EP}.ended_on: an active episode has no end date"),
        (lambda e: e.update(level_of_care="ICU"), f'{EP}.level_of_care: "ICU" is not one of: IOP, PHP, OP'),
        (lambda e: e["checkins"][0].update(phq9_items=[1, 2]), f"{EP}.checkins[0].phq9_items: PHQ-9 needs exactly 9"),
        (lambda e: e["checkins"][0].update(barriers=["weather"]), f"{EP}.checkins[0].barriers[0]"),
        (lambda e: e["attendance"][0].update(duration_minutes=True), "duration_minutes: expected a whole number"),
        (lambda e: e["screens"][0].update(validity={"ph": "low"}), f"{EP}.screens[0].validity.ph: expected a number"),
        (lambda e: e.update(ref="R" * 41), f"{EP}.ref: longer than 40 characters"),
        (lambda e: e["prescriptions"][0].update(end="2025-01-01"), f"{EP}.prescriptions[0].end: is before start"),
    ],
    ids=[
        "check-in without therapist",
        "confirmation without result",
        "ended without date",
        "active with end date",
        "level of care",
        "phq9 items",
        "barrier",
        "boolean is not a number",
        "validity reading",
        "too long",
        "prescription ends before start",
    ],
)
def test_episode_rules(change, problem):
    doc = sample()
    change(doc["clients"][0]["episodes"][0])

    problems = validate(doc, known())[1]

    assert any(problem in p for p in problems), problems


def test_nothing_normalised_is_returned_when_there_is_a_problem():
    doc = sample()
    doc["clients"][0]["mrn"] = 12

    normalised, problems = validate(doc, known())

    assert normalised is None
    assert problems == ["clients[0].mrn: expected a non-empty string, got 12"]


@pytest.mark.parametrize("text", [b"", b"{", b"\xff\xfe", b'{"format": "iop-records/1",}'])
def test_text_that_is_not_json_is_one_problem_at_the_root(text):
    doc, problems = parse(text)

    assert doc is None
    assert len(problems) == 1 and problems[0].startswith("$: not JSON")


def test_the_example_in_the_documentation_is_valid():
    from pathlib import Path

    text = (Path(__file__).parents[2] / "docs" / "import-format.md").read_text()
    example = text.split("```json", 1)[1].split("```", 1)[0]

    doc, problems = parse(example)
    assert validate(doc, known())[1] == []
