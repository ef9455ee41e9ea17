"""Browser tests: real Chromium (Debian's /usr/bin/chromium) driven by Playwright for Python.

Never ``playwright install``: the browser is the system one. Without Chromium these tests
skip on a developer machine; with REQUIRE_BROWSER_TESTS=1 (CI) they fail instead.
"""

import contextlib
import importlib
import logging
import os
import shutil
import sys

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer
from django.test.testcases import LiveServerThread, QuietWSGIRequestHandler

from accounts.twofactor import two_factor_required_by_role
from tests.factories import PASSWORD
from tests.twofactor import authenticator, current_code

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
SERIOUS = {"serious", "critical"}

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between browser steps are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


# On SQLite the live server's threads share the test's one in-memory connection, so two
# requests at once (a page and the fetch of its navigation counts, /work/counts.json) would run
# statements on it together ("cannot open savepoint - SQL statements in progress"). There the
# server takes one request at a time, as runserver's users never notice; PostgreSQL keeps the
# threaded server (one connection per thread).
class _OneRequestAtATime(WSGIServer):
    """Django's WSGIServer without threads (its requests run in the live server's thread,
    which already uses the test's connection)."""

    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, **kwargs)


if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    LiveServerThread.server_class = _OneRequestAtATime


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(autouse=True)
def analyte_catalog(transactional_db):
    """Browser tests flush the database between tests, data migrations included: seed the
    analytes and panels again with the migration's own function."""
    migration = importlib.import_module("screening.migrations.0002_validity_constraints_and_analytes")
    migration.seed(apps, None)


@pytest.fixture(autouse=True)
def no_phi_in_logs(transactional_db, monkeypatch, capfd):
    """#13: no client's name or MRN reaches any log while the browser works. The live server
    logs each request as runserver does (django.server), and everything any configured log
    handler writes, plus the process's output, is searched for every client's name and MRN."""
    monkeypatch.setattr(QuietWSGIRequestHandler, "log_message", WSGIRequestHandler.log_message)
    written = []
    loggers = [logging.root, *(v for v in logging.root.manager.loggerDict.values() if isinstance(v, logging.Logger))]
    configured = {h for logger in loggers for h in logger.handlers if not type(h).__module__.startswith("_pytest")}
    for handler in configured:

        def format_and_keep(record, _format=handler.format):
            written.append(text := _format(record))
            return text

        monkeypatch.setattr(handler, "format", format_and_keep)
    yield written
    out, err = capfd.readouterr()
    print(out, end="")  # back to pytest's report
    print(err, end="", file=sys.stderr)
    written += [out, err]
    from clients.models import Client

    phi = set()
    for first, last, mrn in Client.objects.values_list("first_name", "last_name", "mrn"):
        phi |= {f"{first} {last}", f"{first}+{last}", mrn} | ({last} if len(last) >= 4 else set())
    leaked = sorted({p for p in phi for text in written if p and p in text})
    assert not leaked, f"client names or MRNs in the logs: {leaked}"


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("REQUIRE_BROWSER_TESTS"):
            pytest.fail(f"Chromium not found at {CHROMIUM} and REQUIRE_BROWSER_TESTS is set")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    # Let the page's last requests (its navigation-count fetch, /work/counts.json) finish before
    # the test's database is flushed: a request still running holds a lock that TRUNCATE waits
    # for (a deadlock on PostgreSQL).
    with contextlib.suppress(Exception):  # a page that never settles is closed anyway
        page.wait_for_load_state("networkidle", timeout=5_000)
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def login(page, username, password=PASSWORD):
    """Sign in through the real login form; at the two-factor step, type the code an
    authenticator app holding the user's secret would show."""
    user = get_user_model().objects.filter(username=username).first()
    if user is not None and two_factor_required_by_role(user):
        authenticator(user)  # staff have their authenticator app set up
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    if "/accounts/two-factor/verify/" in page.url:
        page.get_by_label("Authentication code").fill(current_code(authenticator(user)))
        page.get_by_role("button", name="Verify").click()
        page.wait_for_load_state()


def assert_accessible(page):
    """No serious or critical axe-core violation on the current page, as it rests: the pointer
    moved off the element last clicked and CSS transitions finished (axe must not measure a
    button's colours halfway through its hover fade)."""
    from axe_playwright_python.sync_playwright import Axe

    page.mouse.move(0, 0)
    page.evaluate("Promise.all(document.getAnimations().map(a => a.finished.catch(() => null)))")
    results = Axe().run(page)
    bad = [v for v in results.response["violations"] if v.get("impact") in SERIOUS]
    assert not bad, "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}" for v in bad
    )
