"""Every named URL of the project, walked for every role (as Read the Docs does).

The walker reads the URL configuration at run time, so pages added later are walked too.
URL keyword arguments are filled by name from ``KWARG_FILLERS`` (a client's pk, an episode's
pk…); a pattern with an argument not listed there is skipped with a warning naming it, so
add its filler here when a new kind of argument appears. ``pk`` means the client's pk: on a
view where it means another object the walk gets a 404, which is fine — it must never be a
500, and another site's staff must never learn more than they would about a missing client.
"""

import warnings

import pytest
from django.test import Client as HttpClient
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

from audit.models import AccessEvent
from clients.records import RECORD_TABS
from iop.dates import week_start
from tests.factories import (
    CheckInFactory,
    DecisionFactory,
    GoalFactory,
    PrescriptionFactory,
    ScreenFactory,
    ScreenResultFactory,
    SessionFactory,
    WorksheetFactory,
)

NAMESPACES = ("clients", "attendance", "screening", "goals", "checkins", "dashboard", "audit")
TOP_LEVEL = ("healthz", "login", "password_change", "password_change_done")
OPEN = {"healthz", "login"}  # the only pages an anonymous visitor may open
MISSING_PK = 987654321

# kwarg name → what it is filled with, from the site-1 objects of the ``targets`` fixture.
KWARG_FILLERS = {
    "pk": lambda t: t["episode"].client_id,
    "client_pk": lambda t: t["episode"].client_id,
    "client_id": lambda t: t["episode"].client_id,
    "episode_pk": lambda t: t["episode"].pk,
    "episode_id": lambda t: t["episode"].pk,
    "goal_pk": lambda t: t["goal"].pk,
    "rx_pk": lambda t: t["prescription"].pk,
    "result_pk": lambda t: t["result"].pk,
    "screen_pk": lambda t: t["result"].screen_id,
    "checkin_pk": lambda t: t["checkin"].pk,
    "session_pk": lambda t: t["session"].pk,
    "worksheet_pk": lambda t: t["worksheet"].pk,
    "decision_pk": lambda t: t["decision"].pk,
    "week": lambda t: week_start(timezone.localdate()).isoformat(),
}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def targets(episode1):
    """Site-1 objects the walked URLs point at: episode1 (active) with one of each
    clinical record."""
    return {
        "episode": episode1,
        "goal": GoalFactory(episode=episode1),
        "prescription": PrescriptionFactory(client=episode1.client),
        "result": ScreenResultFactory(screen=ScreenFactory(episode=episode1)),
        "checkin": CheckInFactory(episode=episode1, author=episode1.primary_therapist),
        "session": SessionFactory(site=episode1.site, track=episode1.track),
        "worksheet": WorksheetFactory(episode=episode1),
        "decision": DecisionFactory(episode=episode1, decided_by=episode1.case_manager),
    }


def _named_patterns(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            yield from _named_patterns(pattern.url_patterns, namespace)
        elif pattern.name:
            yield f"{prefix}{pattern.name}", list(pattern.pattern.regex.groupindex)


def project_urls():
    """(url name, kwarg names) of every project page, each name once."""
    found = {}
    for name, kwargs in _named_patterns(get_resolver().url_patterns):
        if name.split(":")[0] in NAMESPACES or name in TOP_LEVEL:
            found.setdefault(name, kwargs)
    return sorted(found.items())


def walk(targets, missing=False):
    """(name, url, points at a site-1 object) for every walkable URL; warns about the
    skipped. ``missing``: every number is replaced by an id that exists nowhere."""
    walked, skipped = [], []
    for name, kwarg_names in project_urls():
        if any(k not in KWARG_FILLERS for k in kwarg_names):
            skipped.append(f"{name} {kwarg_names}")
            continue
        kwargs = {k: KWARG_FILLERS[k](targets) for k in kwarg_names}
        if missing:
            kwargs = {k: MISSING_PK if isinstance(v, int) else v for k, v in kwargs.items()}
        walked.append((name, reverse(name, kwargs=kwargs), bool(kwargs)))
    if skipped:
        warnings.warn(f"URL walk skipped (no filler for their arguments): {skipped}", stacklevel=2)
    return walked


def _http(user=None):
    http = HttpClient(raise_request_exception=False)  # a crash shows as a 500 in the report
    if user is not None:
        http.force_login(user)
    return http


def test_walker_finds_the_pages_of_every_app(db):
    names = {name for name, _ in project_urls()}
    assert {"clients:list", "clients:intake", "clients:detail", "dashboard:caseload", "healthz"} <= names
    assert {url_name for url_name, _label, _key in RECORD_TABS} <= names


def test_anonymous_visitors_are_sent_to_login_everywhere_but_healthz_and_login(client, targets):
    problems = []
    for name, url, _ in walk(targets):
        response = client.get(url)
        if name in OPEN:
            ok = response.status_code == 200
        else:
            ok = response.status_code == 302 and response["Location"].startswith(reverse("login"))
        if not ok:
            problems.append(f"{name} {url}: {response.status_code}")
    assert not problems, problems


@pytest.mark.parametrize("persona", ["therapist", "casemanager", "admin_user"])
def test_staff_of_the_site_never_get_a_server_error(request, targets, persona):
    http = _http(request.getfixturevalue(persona))
    record_tabs = {url_name for url_name, _label, _key in RECORD_TABS}
    problems = []
    for name, url, _ in walk(targets):
        status = http.get(url).status_code
        if status >= 500 or (name in record_tabs and status != 200):
            problems.append(f"{name} {url}: {status}")
    assert not problems, problems


def test_other_site_staff_learn_nothing_about_a_site_1_client(therapist2, targets):
    """For therapist2 (site 2 only) a site-1 client's pages answer exactly as for a client
    that does not exist (404, or the same refusal for their role), and are never shown."""
    http = _http(therapist2)
    missing = {name: url for name, url, _ in walk(targets, missing=True)}
    problems = []
    for name, url, fills_client in walk(targets):
        status = http.get(url).status_code
        if status >= 500:
            problems.append(f"{name} {url}: {status}")
        elif fills_client:
            as_missing = http.get(missing[name]).status_code
            if status == 200 or status != as_missing:
                problems.append(f"{name} {url}: {status} (a missing client gives {as_missing})")
    assert not problems, problems
    assert not AccessEvent.objects.filter(client=targets["episode"].client).exists()


def test_sign_out_accepts_post_only(as_therapist):
    assert as_therapist.get(reverse("logout")).status_code == 405
    response = as_therapist.post(reverse("logout"))
    assert response.status_code == 302
    assert as_therapist.get(reverse("clients:list")).status_code == 302  # signed out
