"""#13: a search by name goes by GET (bookmarkable, back button), yet the server logs keep only
the path: the ``no_phi_in_logs`` fixture fails the test if the name reaches any log."""

from playwright.sync_api import expect

from tests.e2e.conftest import login


def test_a_search_by_name_is_logged_without_its_query_string(page, episode1, no_phi_in_logs):
    login(page, "therapist")
    page.goto("/clients/")
    page.get_by_label("Name or MRN").fill("Ana Diaz")
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state()
    assert "q=Ana+Diaz" in page.url
    expect(page.get_by_role("link", name="Diaz, Ana")).to_be_visible()
    assert any("GET /clients/?[query removed]" in line for line in no_phi_in_logs)  # the request was logged
