"""import_records refuses a bad file: every problem printed with its JSON path, nothing written."""

import pytest
from django.core.management.base import CommandError

from tests.exchange.conftest import SAMPLE, db_counts, import_problems, run_import, write_doc

EP = "clients[0].episodes[0]"


def _set(path, value):
    """A mutation that sets ``doc[...path]`` (a list of keys / indexes) to ``value``."""

    def mutate(doc):
        target = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return mutate


def _episode(doc, client=0, episode=0):
    return doc["clients"][client]["episodes"][episode]


def _delete_mrn(doc):
    del doc["clients"][0]["mrn"]


def _second_active(doc):
    _episode(doc, 1, 0).update(status="active", ended_on=None, end_reason=None)


def _screen_twice(doc):
    screens = _episode(doc)["screens"]
    screens.append(dict(screens[0]))


def _attend_twice(doc):
    rows = _episode(doc)["attendance"]
    rows.append(dict(rows[0], status="late"))


def _session_disagrees(doc):
    _episode(doc, 1, 1)["attendance"][0]["duration_minutes"] = 120


def _overlapping_episodes(doc):
    _episode(doc, 1, 1)["admitted_on"] = "2025-11-03"


EPISODE = ["clients", 0, "episodes", 0]
BAD = {
    "wrong format": (_set(["format"], "iop-records/3"), "format: expected 'iop-records/1' or 'iop-records/2'"),
    "missing required key": (_delete_mrn, "clients[0]: missing required key 'mrn'"),
    "wrong type": (
        _set([*EPISODE, "required_weekly_hours"], "nine"),
        f'{EP}.required_weekly_hours: expected a number, got "nine"',
    ),
    "wrong type of list": (_set(["clients", 0, "episodes"], {}), "clients[0].episodes: expected a list"),
    "unknown key": (_set([*EPISODE, "minutes"], 3), f"{EP}.minutes: unknown key"),
    "attendance status outside vocabulary": (
        _set([*EPISODE, "attendance", 0, "status"], "here"),
        f'{EP}.attendance[0].status: "here" is not one of: present, late',
    ),
    "role outside vocabulary": (_set(["staff", 0, "role"], "nurse"), 'staff[0].role: "nurse" is not one of'),
    "result outside vocabulary": (
        _set([*EPISODE, "screens", 0, "results", "THC"], "maybe"),
        f'{EP}.screens[0].results.THC: "maybe" is not one of: negative, positive, inconclusive',
    ),
    "goal area outside vocabulary": (_set([*EPISODE, "goals", 0, "area"], "money"), f"{EP}.goals[0].area"),
    "unknown site": (_set([*EPISODE, "site"], "XYZ"), f"{EP}.site: unknown site 'XYZ'"),
    "unknown track": (_set([*EPISODE, "track"], "NOPE"), f"{EP}.track: unknown track 'NOPE'"),
    "unknown staff": (_set([*EPISODE, "therapist"], "nobody"), f"{EP}.therapist: unknown staff 'nobody'"),
    "unknown analyte": (
        _set([*EPISODE, "screens", 0, "results", "XYZ"], "negative"),
        f"{EP}.screens[0].results.XYZ: unknown analyte",
    ),
    "unknown prescription analyte": (
        _set([*EPISODE, "prescriptions", 0, "analyte"], "SUB"),
        f"{EP}.prescriptions[0].analyte: unknown analyte",
    ),
    "unknown goal": (
        _set([*EPISODE, "worksheets", 0, "ratings", "G9"], 2),
        f"{EP}.worksheets[0].ratings.G9: unknown goal",
    ),
    "duplicate MRN": (_set(["clients", 1, "mrn"], "RIC-0001"), "clients[1].mrn: duplicate MRN 'RIC-0001'"),
    "duplicate episode ref": (
        _set(["clients", 1, "episodes", 1, "ref"], "RIC-0001-1"),
        "clients[1].episodes[1].ref: duplicate episode ref 'RIC-0001-1'",
    ),
    "two active episodes": (_second_active, "clients[1].episodes[1]: a second active episode for client 'RIC-0002'"),
    "overlapping episodes": (_overlapping_episodes, "clients[1].episodes[1].admitted_on: 2025-11-03 is before"),
    "not a date": (_set([*EPISODE, "admitted_on"], "2026-02-30"), f"{EP}.admitted_on: expected a date YYYY-MM-DD"),
    "not a date and time": (
        _set([*EPISODE, "screens", 0, "collected_at"], "06/01/2026 18:30"),
        f"{EP}.screens[0].collected_at: expected a date and time YYYY-MM-DDTHH:MM",
    ),
    "future date": (
        _set([*EPISODE, "attendance", 0, "date"], "2999-01-04"),
        f"{EP}.attendance[0].date: 2999-01-04 is in the future",
    ),
    "date before admission": (
        _set([*EPISODE, "screens", 0, "collected_at"], "2025-12-30T10:00"),
        f"{EP}.screens[0].collected_at: 2025-12-30 is before admission (2026-01-05)",
    ),
    "minutes above duration": (
        _set([*EPISODE, "attendance", 0, "minutes_attended"], 200),
        f"{EP}.attendance[0].minutes_attended: Minutes attended cannot exceed the session's 180 minutes.",
    ),
    "shared session disagrees": (_session_disagrees, "clients[1].episodes[1].attendance[0].duration_minutes: 120"),
    "worksheet week not a Monday": (
        _set([*EPISODE, "worksheets", 0, "week"], "2026-01-07"),
        f"{EP}.worksheets[0].week: 2026-01-07 is not a Monday",
    ),
    "check-in week not a Monday": (
        _set([*EPISODE, "checkins", 0, "week"], "2026-01-11"),
        f"{EP}.checkins[0].week: 2026-01-11 is not a Monday",
    ),
    "same screen twice": (_screen_twice, f"{EP}.screens[2]: the same screen collected at this time as {EP}.screens[0]"),
    "same session twice": (_attend_twice, f"{EP}.attendance[4]: the same attendance at this session"),
    "rating out of range": (_set([*EPISODE, "worksheets", 0, "ratings", "G1"], 7), f"{EP}.worksheets[0].ratings.G1"),
    "cravings out of range": (
        _set([*EPISODE, "checkins", 0, "cravings"], 11),
        f"{EP}.checkins[0].cravings: 11 is outside",
    ),
}


@pytest.mark.parametrize("mutate, message", BAD.values(), ids=BAD.keys())
def test_bad_file_names_the_path_and_writes_nothing(db, tmp_path, sample, mutate, message):
    mutate(sample)
    before = db_counts()

    problems = import_problems(write_doc(tmp_path, sample))

    assert message in problems
    assert db_counts() == before


def test_a_file_that_is_not_json_is_refused(db, tmp_path):
    problems = import_problems(write_doc(tmp_path, '{"format": "iop-records/1", "clients": [}'))

    assert problems.startswith("$: not JSON (")
    assert "line 1" in problems


def test_a_document_that_is_not_an_object_is_refused(db, tmp_path):
    assert import_problems(write_doc(tmp_path, "[1, 2]")).startswith("$: expected an object, got a list")


def test_every_problem_is_reported_not_only_the_first(db, tmp_path, sample):
    for mutate, _ in (BAD["unknown analyte"], BAD["duplicate MRN"], BAD["check-in week not a Monday"]):
        mutate(sample)

    problems = import_problems(write_doc(tmp_path, sample)).splitlines()

    assert any(p.endswith("results.XYZ: unknown analyte") for p in problems)
    assert any(p.startswith("clients[1].mrn: duplicate MRN") for p in problems)
    assert any(p.startswith(f"{EP}.checkins[0].week") for p in problems)


def test_a_file_conflicting_with_the_database_is_refused(db, tmp_path, sample):
    run_import(SAMPLE)
    before = db_counts()
    sample["clients"][1]["episodes"][1]["ref"] = "RIC-0002-3"  # a second active episode for RIC-0002

    problems = import_problems(write_doc(tmp_path, sample))

    assert "clients[1].episodes[1]: client 'RIC-0002' already has the active episode 'RIC-0002-2'" in problems
    assert db_counts() == before


@pytest.mark.parametrize(
    "doc, problem",
    [
        ({"format": "iop-records/1", "clients": 5}, "clients: expected a list, got 5"),
        ({"format": "iop-records/1", "clients": [5]}, "clients[0]: expected an object, got 5"),
        ({"format": "iop-records/1", "clients": [{"episodes": 5}]}, "clients[0].episodes: expected a list"),
        (
            {"format": "iop-records/1", "clients": [{"episodes": [{"attendance": 5, "screens": [1]}]}]},
            "clients[0].episodes[0].screens[0]: expected an object, got 1",
        ),
        (
            {"format": "iop-records/1", "clients": [{"episodes": [{"worksheets": [{"ratings": []}]}]}]},
            "clients[0].episodes[0].worksheets[0].ratings: expected an object, got []",
        ),
        ({"format": "iop-records/1", "sites": [{"code": 5, "name": None}]}, "sites[0].name: must not be null"),
        ({"format": "iop-records/1", "tracks": [{"weekdays": "mon"}]}, "tracks[0].weekdays: expected a list"),
        ({"format": "iop-records/1", "staff": [{"sites": [None]}]}, "staff[0].sites[0]: unknown site null"),
        ({"format": None}, "format: expected 'iop-records/1' or 'iop-records/2', got null"),
        ({}, "$: missing required key 'format'"),
    ],
)
def test_malformed_structures_are_reported_not_crashed_on(db, tmp_path, doc, problem):
    assert problem in import_problems(write_doc(tmp_path, doc))


def test_a_missing_file_is_reported(db, tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        run_import(tmp_path / "nowhere.json")


def test_a_row_the_database_refuses_rolls_everything_back(db, tmp_path, sample):
    sample["tracks"].append(dict(sample["tracks"][0], code="RIC-EVE2"))  # same name at the same site
    before = db_counts()

    with pytest.raises(CommandError, match="the database refused a row"):
        run_import(write_doc(tmp_path, sample))

    assert db_counts() == before
