"""Issue 14, "Levels of care, coherent": criteria per site and level, the one lookup, the
migration of the one-row-per-site criteria, and the admin per level."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from programs.models import Criteria, LevelOfCare, Site
from programs.services import criteria_for, criteria_for_many, default_weekly_hours, site_criteria_ensure


def test_every_site_gets_a_row_per_level_with_its_defaults(site1):
    rows = site_criteria_ensure(site=site1)
    assert {level: (c.weekly_hours, c.step_down_applies) for level, c in rows.items()} == {
        "PHP": (20, True),
        "IOP": (9, True),
        "OP": (1, False),
    }
    op = rows["OP"]
    assert (op.graduation_min_weeks, op.attendance_rate_min, op.graduation_streak, op.no_positive_days) == (
        4,
        Decimal("0.75"),
        0,
        30,
    )
    assert site_criteria_ensure(site=site1) == rows  # idempotent
    assert Criteria.objects.filter(site=site1).count() == 3


def test_criteria_for_reads_the_row_of_that_site_and_level(site1, site2):
    site_criteria_ensure(site=site1)
    Criteria.objects.filter(site=site1, level_of_care="OP").update(weekly_hours=Decimal("1.5"), graduation_min_weeks=6)
    assert criteria_for(site1, LevelOfCare.OP).graduation_min_weeks == 6
    assert criteria_for(site1.pk, "IOP").graduation_min_weeks == 12
    assert default_weekly_hours(site1, "OP") == Decimal("1.5")
    assert default_weekly_hours(site1, "PHP") == 20
    # a site without rows is judged by each level's defaults (an unsaved row, never an error)
    missing = criteria_for(site2, "OP")
    assert missing.pk is None and (missing.weekly_hours, missing.step_down_applies) == (1, False)


def test_the_bulk_lookup_is_one_query_whatever_the_pairs(site1, site2, django_assert_num_queries):
    site_criteria_ensure(site=site1)
    pairs = [(s, level) for s in (site1, site2) for level in LevelOfCare.values]
    with django_assert_num_queries(1):
        rows = criteria_for_many(pairs)
    assert len(rows) == 6
    assert rows[(site1.pk, "OP")].pk is not None and rows[(site2.pk, "OP")].pk is None
    with django_assert_num_queries(0):
        assert criteria_for_many([]) == {}


def test_one_row_per_site_and_level(site1):
    from django.db import IntegrityError, transaction

    site_criteria_ensure(site=site1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Criteria.objects.create(site=site1, level_of_care="OP")


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_each_sites_row_as_iop_and_adds_php_and_op():
    executor = MigrationExecutor(connection)
    before, after = (
        ("programs", "0003_criteria_explained_and_a_row_for_every_site"),
        executor.loader.graph.leaf_nodes("programs"),
    )
    executor.migrate([before])
    old = executor.loader.project_state([before]).apps
    OldSite, OldCriteria = old.get_model("programs", "Site"), old.get_model("programs", "Criteria")
    ric = OldSite.objects.create(code="RIC", name="Richmond")
    OldSite.objects.create(code="NOR", name="Norfolk")
    OldCriteria.objects.create(site=ric, step_down_min_weeks=8, attendance_rate_min=Decimal("0.85"))
    # NOR has no row (possible before 0003's data step, or after a bulk import)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)

    rows = {(c.site.code, c.level_of_care): c for c in Criteria.objects.select_related("site")}
    assert set(rows) == {(s, lv) for s in ("RIC", "NOR") for lv in ("PHP", "IOP", "OP")}
    kept = rows[("RIC", "IOP")]
    assert (kept.step_down_min_weeks, kept.attendance_rate_min, kept.weekly_hours) == (8, Decimal("0.85"), 9)
    assert (rows[("RIC", "PHP")].weekly_hours, rows[("RIC", "PHP")].step_down_min_weeks) == (20, 6)
    assert (rows[("NOR", "OP")].weekly_hours, rows[("NOR", "OP")].step_down_applies) == (1, False)
    assert Site.objects.count() == 2


# --- Admin --------------------------------------------------------------------------------


def test_the_criteria_list_shows_a_row_per_level_of_the_admins_sites_only(as_programadmin, site1, site2):
    site_criteria_ensure(site=site1)
    site_criteria_ensure(site=site2)
    page = as_programadmin.get(reverse("admin:programs_criteria_changelist"))
    rows = page.context["cl"].result_list
    assert sorted((c.site.code, c.level_of_care) for c in rows) == [("RIC", "IOP"), ("RIC", "OP"), ("RIC", "PHP")]
    assert "Outpatient (ASAM 1.0)" in page.content.decode()
    other = Criteria.objects.get(site=site2, level_of_care="OP")
    assert as_programadmin.get(reverse("admin:programs_criteria_change", args=[other.pk])).status_code == 404


def test_the_admin_edits_the_op_row_in_words(as_programadmin, site1):
    op = site_criteria_ensure(site=site1)["OP"]
    url = reverse("admin:programs_criteria_change", args=[op.pk])
    page = as_programadmin.get(url).content.decode()
    assert "Outpatient (ASAM 1.0)" in page and "there is no lower level here" in page
    assert "A threshold of 0 requires nothing." in page
    form = as_programadmin.get(url).context["adminform"].form
    data = {name: form.initial.get(name) for name in form.fields}
    data.update(weekly_hours="2", graduation_min_weeks=6, step_down_applies="")
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data.pop("step_down_applies")  # an unticked box is absent from the post

    response = as_programadmin.post(url, data)

    assert response.status_code == 302, response.content.decode()[:3000]
    op.refresh_from_db()
    assert (op.weekly_hours, op.graduation_min_weeks, op.step_down_applies, op.level_of_care) == (2, 6, False, "OP")
    assert default_weekly_hours(site1, "OP") == 2


def test_a_second_row_for_the_same_site_and_level_is_a_form_error(as_programadmin, site1):
    site_criteria_ensure(site=site1)
    data = {f.name: f.default for f in Criteria._meta.fields if f.name not in ("id", "site", "step_down_applies")}
    data.update(site=site1.pk, level_of_care="OP")
    response = as_programadmin.post(reverse("admin:programs_criteria_add"), data)
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert Criteria.objects.filter(site=site1, level_of_care="OP").count() == 1
