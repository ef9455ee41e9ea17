"""Browser, at a phone's width (390 px): the page itself never scrolls sideways.

Wide tables may scroll inside their own box; the page (``document.documentElement``) may not,
or a clinician on a phone has to pan every page to read it.
"""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.dashboard.test_queries import build_caseload
from tests.e2e.conftest import assert_accessible, login
from tests.factories import SessionFactory

PHONE = {"width": 390, "height": 844}


def page_width(page):
    return page.evaluate("document.documentElement.scrollWidth")


def text_fits(page, select):
    """Whether the chosen option's words fit in the closed <select> (not cut to "Pre")."""
    return select.evaluate(
        """el => {
            const style = getComputedStyle(el);
            const ctx = document.createElement('canvas').getContext('2d');
            ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
            const text = ctx.measureText(el.options[el.selectedIndex].text).width;
            const room = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
            return text <= room;
        }"""
    )


@pytest.fixture
def caseload(site1, track1, therapist, casemanager):
    kw = {"site": site1, "track": track1, "therapist": therapist, "casemanager": casemanager}
    kw["as_of"] = timezone.localdate()
    [ready] = build_caseload(1, story="ready", prefix="R", **kw)
    build_caseload(2, story="approaching", prefix="A", **kw)
    build_caseload(2, story="struggling", prefix="S", **kw)
    return ready


def test_caseload_progress_and_tabs_fit_a_390_px_screen(page, caseload):
    page.set_viewport_size(PHONE)
    login(page, "casemanager")
    expect(page.get_by_role("heading", name="Caseload")).to_be_visible()
    assert page_width(page) <= PHONE["width"]
    assert_accessible(page)

    client_id = caseload.client_id
    for path in (
        f"/clients/{client_id}/progress/",
        f"/clients/{client_id}/",
        f"/attendance/client/{client_id}/",
        f"/screening/client/{client_id}/",
        f"/goals/client/{client_id}/",
        f"/checkins/client/{client_id}/",
        "/screening/pending/",
        "/checkins/due/",
        "/aftercare/due/",
    ):
        page.goto(path)
        page.wait_for_load_state()
        assert page_width(page) <= PHONE["width"], f"{path} is {page_width(page)} px wide on a 390 px screen"
    page.goto(f"/clients/{client_id}/progress/")
    expect(page.get_by_role("heading", name="Progress")).to_be_visible()
    assert_accessible(page)


def test_roster_fits_a_390_px_screen_and_shows_whole_statuses(page, caseload, site1, track1):
    # At noon: on the track's days the caseload's history already holds today's 18:00 session.
    SessionFactory(site=site1, track=track1, date=timezone.localdate(), start_time=dt.time(12, 0), status="scheduled")
    page.set_viewport_size(PHONE)
    login(page, "therapist")
    page.goto("/attendance/today/")
    assert page_width(page) <= PHONE["width"]
    page.get_by_role("link", name="Take roster").click()
    page.wait_for_url("**/attendance/sessions/*/")
    assert page_width(page) <= PHONE["width"]

    status = page.get_by_role("row", name=caseload.client.mrn).get_by_role("combobox", name="Status for")
    status.select_option("absent")
    assert text_fits(page, status), "the roster's status is cut off on a phone"
    status.select_option("present")
    assert text_fits(page, status)
    assert page_width(page) <= PHONE["width"]
    assert_accessible(page)
