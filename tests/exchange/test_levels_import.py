"""Issue 14: an imported episode without required_weekly_hours takes its level's default at the
site; a site the file creates gets its criteria row per level."""

from decimal import Decimal

from clients.models import Episode
from programs.models import Criteria
from tests.exchange.conftest import run_import, write_doc


def _episodes(doc):
    return {e["ref"]: e for c in doc["clients"] for e in c["episodes"]}


def test_an_episode_without_hours_takes_its_levels_default(db, sample, tmp_path):
    episodes = _episodes(sample)
    episodes["RIC-0002-2"]["level_of_care"] = "OP"
    episodes["RIC-0002-2"].pop("required_weekly_hours", None)
    del episodes["RIC-0001-1"]["required_weekly_hours"]  # IOP

    run_import(write_doc(tmp_path, sample))

    assert Episode.objects.get(ref="RIC-0002-2").required_weekly_hours == Decimal("1")
    assert Episode.objects.get(ref="RIC-0001-1").required_weekly_hours == Decimal("9")
    assert Episode.objects.get(ref="RIC-0002-1").required_weekly_hours == Decimal("9.5")  # given, kept
    levels = sorted(Criteria.objects.filter(site__code="RIC").values_list("level_of_care", "weekly_hours"))
    assert levels == [("IOP", 9), ("OP", 1), ("PHP", 20)]


def test_the_sites_own_op_hours_apply(db, sample, tmp_path, site1):
    Criteria.objects.create(site=site1, level_of_care="OP", weekly_hours=Decimal("2"))
    episodes = _episodes(sample)
    episodes["RIC-0002-2"]["level_of_care"] = "OP"
    episodes["RIC-0002-2"].pop("required_weekly_hours", None)

    run_import(write_doc(tmp_path, sample))

    assert Episode.objects.get(ref="RIC-0002-2").required_weekly_hours == Decimal("2")
