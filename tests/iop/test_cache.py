"""#12: no page, CSV or PDF of the app may be kept by a browser or proxy cache."""

import pytest
from django.test import Client as HttpClient

from tests.test_urls import targets, walk  # noqa: F401  (targets is the walk's fixture)


def _directives(response):
    return {d.strip().split("=")[0] for d in response.get("Cache-Control", "").split(",") if d.strip()}


def _uncacheable(response):
    return {"no-store", "private"} <= _directives(response)


@pytest.mark.parametrize("persona", [None, "therapist"])
def test_every_page_of_the_walk_says_no_store_private(request, targets, persona):  # noqa: F811
    http = HttpClient(raise_request_exception=False)
    if persona:
        http.force_login(request.getfixturevalue(persona))
    problems = [
        f"{name} {url}: {response.status_code} Cache-Control={response.get('Cache-Control')!r}"
        for name, url, _ in walk(targets)
        if not _uncacheable(response := http.get(url))
    ]
    assert not problems, problems


@pytest.mark.parametrize("url", ["/caseload.csv", "/reports.csv", "/admin/", "/admin/clients/client/", "/nowhere/"])
def test_exports_admin_and_error_pages_say_no_store_private(as_admin, episode1, url):
    response = as_admin.get(url)
    assert response.status_code < 500
    assert _uncacheable(response), response.get("Cache-Control")


def test_static_files_keep_their_caching(settings, db):
    settings.WHITENOISE_USE_FINDERS = True  # serve from the source folders, no collectstatic needed
    settings.WHITENOISE_AUTOREFRESH = True
    response = HttpClient().get("/static/css/app.css")
    assert response.status_code == 200
    assert "no-store" not in _directives(response)
