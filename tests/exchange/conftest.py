"""Fixtures of the import/export tests: the analytes, the sample file, a command runner."""

import copy
import io
import json
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from attendance.models import Attendance, Session
from checkins.models import CheckIn
from clients.models import Client, Episode, LevelOfCareChange
from goals.models import Goal, GoalRating, Worksheet
from programs.models import Site, Track
from screening.models import Analyte, Prescription, Screen, ScreenResult

SAMPLE = Path(__file__).with_name("sample.json")
ANALYTE_CODES = (
    "AMP",
    "mAMP",
    "BAR",
    "BZO",
    "BUP",
    "COC",
    "MDMA",
    "FEN",
    "THC",
    "MTD",
    "OPI",
    "OXY",
    "PCP",
    "TRA",
    "ETG",
)
MODELS = (
    Site,
    Track,
    get_user_model(),
    Client,
    Episode,
    LevelOfCareChange,
    Prescription,
    Session,
    Attendance,
    Screen,
    ScreenResult,
    Goal,
    Worksheet,
    GoalRating,
    CheckIn,
)


@pytest.fixture(autouse=True)
def analytes(db):
    """The DOMAIN.md analytes (the screening migration may or may not have seeded them)."""
    return {code: Analyte.objects.get_or_create(code=code, defaults={"name": code})[0] for code in ANALYTE_CODES}


@pytest.fixture
def sample():
    """The sample document (a fresh copy each time: tests mutate it)."""
    return copy.deepcopy(json.loads(SAMPLE.read_text()))


def write_doc(tmp_path, doc, name="records.json"):
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc))
    return path


class Tty(io.StringIO):
    def isatty(self):
        return True


def run_import(path, *, tty=False):
    """Run ``import_records``; returns (stdout, stderr). Raises CommandError like the CLI."""
    out, err = (Tty() if tty else io.StringIO()), io.StringIO()
    call_command("import_records", str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def import_problems(path):
    """Run ``import_records`` on a bad file: asserts it fails (exit status 1) and returns stderr."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_records", str(path), stdout=out, stderr=err)
    assert out.getvalue() == ""
    return err.getvalue()


def db_counts():
    """Rows and history rows of every model the import writes."""
    counts = {model.__name__: model.objects.count() for model in MODELS}
    for model in MODELS:
        if hasattr(model, "history"):
            counts[f"history {model.__name__}"] = model.history.count()
    counts["memberships"] = Site.staff.through.objects.count()
    return counts
