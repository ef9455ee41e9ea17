"""Issue 15: a new site starts with its criteria row (the defaults); the admin explains each threshold."""

from decimal import Decimal

from django.urls import reverse

from programs.models import Criteria, Site


def test_a_site_added_in_the_admin_gets_its_criteria_row_with_the_defaults(as_admin):
    response = as_admin.post(reverse("admin:programs_site_add"), {"code": "BRK", "name": "Brook"})
    assert response.status_code == 302, response.content.decode()[:2000]
    rows = {c.level_of_care: c for c in Criteria.objects.filter(site=Site.objects.get(code="BRK"))}
    assert set(rows) == {"PHP", "IOP", "OP"}  # one row per level of care (issue 14)
    criteria = rows["IOP"]
    assert (criteria.step_down_min_weeks, criteria.attendance_rate_min, criteria.step_down_streak) == (
        6,
        Decimal("0.90"),
        4,
    )
    assert (rows["PHP"].weekly_hours, rows["IOP"].weekly_hours, rows["OP"].weekly_hours) == (20, 9, 1)
    assert rows["OP"].step_down_applies is False and rows["IOP"].step_down_applies is True


def test_the_criteria_page_explains_each_threshold_in_words(as_admin, site1):
    page = as_admin.get(reverse("admin:programs_criteria_add")).content.decode()
    assert "Days of sessions the attendance rate looks back over." in page
    assert "A goal rated this or more (0–4) is on track." in page
    assert all(f.help_text for f in Criteria._meta.concrete_fields if f.name not in ("id", "site"))
    assert "there is no lower level here" in page  # step_down_applies, in words
