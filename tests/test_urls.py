"""Every named URL of the project, walked for every role (as Read the Docs does).

The walker reads the URL configuration at run time, so pages added later are walked too.
URL keyword arguments are filled by name from ``KWARG_FILLERS`` (a client's pk, an episode's
pk…); a pattern with an argument not listed there is skipped with a warning naming it, so
add its filler here when a new kind of argument appears. ``pk`` means the client's pk, except
on the pages of ``PK_MEANS``; another site's staff must never learn more than they would about
a missing client, and no page is ever a 500.
"""

import warnings

import pytest
from django.contrib import admin
from django.test import Client as HttpClient
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

from aftercare.models import FollowUp
from aftercare.services import aftercare_plan_save
from audit.models import AccessEvent
from clients.records import RECORD_TABS
from consents.services import disclosure_record
from iop.dates import week_start
from programs.roles import CASE_MANAGER
from tests.conftest import _login
from tests.factories import (
    CheckInFactory,
    ClientFactory,
    ConsentFactory,
    DecisionFactory,
    EpisodeFactory,
    GoalFactory,
    PrescriptionFactory,
    ScreenFactory,
    ScreenResultFactory,
    SessionFactory,
    TrackFactory,
    UserFactory,
    WorksheetFactory,
)

NAMESPACES = (
    "clients",
    "attendance",
    "screening",
    "goals",
    "checkins",
    "dashboard",
    "audit",
    "consents",
    "letters",
    "aftercare",
)
TOP_LEVEL = ("healthz", "login", "password_change", "password_change_done")
OPEN = {"healthz", "login"}  # the only pages an anonymous visitor may open
MISSING_PK = 987654321
AFTERCARE_PLAN = {"crisis_plan": "Call 988.", "contact_name": "Sponsor", "contact_phone": "804 555 0100"}

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
    "consent_pk": lambda t: t["consent"].pk,
    "followup_pk": lambda t: t["followup"].pk,
    "week": lambda t: week_start(timezone.localdate()).isoformat(),
}
# Pages whose ``pk`` is not the client's: url name → the target it means.
PK_MEANS = {
    "attendance:session": "session",
    "attendance:session_sign": "session",
    "attendance:session_addendum": "session",
    "attendance:session_cancel": "session",
    "attendance:session_topic": "session",
    "attendance:session_reschedule": "session",  # schedules (issue 15); .../schedule/ and week/ walk as they are
    "attendance:session_correct": "session",
    "attendance:session_cosign": "session",
    "checkins:addendum": "checkin",
    "checkins:cosign": "checkin",
    "consents:revoke": "consent",
    "consents:error": "consent",
    "consents:scan": "consent",
    "consents:disclosure_document": "disclosure",
}


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# A body a POST-only page takes for "do it" (the rest accept an empty one: refused, 400 or done).
POST_BODIES = {"screening:record": {"outcome": "refused"}}


def _records_of(episode):
    """The objects the walked URLs point at: ``episode`` (active) with one of each clinical record."""
    consent = ConsentFactory(client=episode.client, site=episode.site, created_by=episode.case_manager)
    plan = aftercare_plan_save(episode=episode, fields=AFTERCARE_PLAN, by=episode.case_manager)
    return {
        "followup": FollowUp.objects.create(episode=episode, offset_days=7, due_on=timezone.localdate()),
        "plan": plan,
        "episode": episode,
        "goal": GoalFactory(episode=episode),
        "prescription": PrescriptionFactory(client=episode.client),
        "result": ScreenResultFactory(screen=ScreenFactory(episode=episode)),
        "checkin": CheckInFactory(episode=episode, author=episode.primary_therapist),
        "session": SessionFactory(site=episode.site, track=episode.track),
        "worksheet": WorksheetFactory(episode=episode),
        "decision": DecisionFactory(episode=episode, decided_by=episode.case_manager),
        "consent": consent,
        "disclosure": disclosure_record(
            consent=consent,
            categories=["attendance"],
            period_start=episode.admitted_on,
            period_end=timezone.localdate(),
            description="Attendance verification",
            document=b"%PDF-1.7 letter",
            method="mail",
            by=episode.case_manager,
            on=timezone.localdate(),
        ),
    }


@pytest.fixture
def targets(episode1):
    """Site-1 objects the walked URLs point at."""
    return _records_of(episode1)


@pytest.fixture
def targets2(site2, therapist2):
    """The same at site 2."""
    track = TrackFactory(site=site2, code="NOR-EVE")
    client = ClientFactory(mrn="NOR-0001")
    manager = UserFactory(username="casemanager2", role=CASE_MANAGER, sites=[site2])
    episode = EpisodeFactory(client=client, site=site2, track=track, primary_therapist=therapist2, case_manager=manager)
    return _records_of(episode)


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
        if "pk" in kwargs and name in PK_MEANS:
            kwargs["pk"] = targets[PK_MEANS[name]].pk
        if missing:
            kwargs = {k: MISSING_PK if isinstance(v, int) else v for k, v in kwargs.items()}
        walked.append((name, reverse(name, kwargs=kwargs), bool(kwargs)))
    if skipped:
        warnings.warn(f"URL walk skipped (no filler for their arguments): {skipped}", stacklevel=2)
    return walked


def _http(user=None):
    """Signed in as ``user`` the way every test signs in (``tests.conftest._login``)."""
    http = HttpClient() if user is None else _login(user)
    http.raise_request_exception = False  # a crash shows as a 500 in the report
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


@pytest.mark.parametrize("persona", ["therapist", "casemanager", "admin_user", "programadmin"])
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


def _post_only(http, targets):
    """(name, url) of every walked page that answers GET with 405."""
    return [(name, url) for name, url, _ in walk(targets) if http.get(url).status_code == 405]


def _writes():
    """Rows of every history table: any write through a page adds one."""
    return sum(model.history.count() for model in admin.site._registry if hasattr(model, "history"))


def test_the_walk_finds_the_post_only_pages(admin_user, targets):
    names = {name for name, _ in _post_only(_http(admin_user), targets)}
    assert {"attendance:session_sign", "screening:record", "screening:result_confirm", "goals:goal_status"} <= names
    assert len(names) >= 12


@pytest.mark.parametrize("persona", ["therapist", "casemanager", "admin_user", "programadmin"])
def test_post_only_pages_take_a_post_on_an_own_site_object(request, targets, persona):
    """Never 405 (nor 500); for the superuser never 404 either, so the 404 another site's
    staff get below means "not yours", not "never reachable"."""
    user = request.getfixturevalue(persona)
    http = _http(user)
    problems = []
    for name, url in _post_only(http, targets):
        status = http.post(url, POST_BODIES.get(name, {})).status_code
        if status in (405, 500) or (user.is_superuser and status == 404):
            problems.append(f"{name} {url}: {status}")
    assert not problems, problems


@pytest.mark.parametrize(
    ("persona", "foreign"),
    [("therapist", "targets2"), ("casemanager", "targets2"), ("programadmin", "targets2"), ("therapist2", "targets")],
)
def test_post_only_pages_answer_404_for_another_sites_object(request, admin_user, persona, foreign):
    """404, or the refusal this role gets for a missing object (403: not their kind of record)."""
    foreign_targets = request.getfixturevalue(foreign)
    post_only = _post_only(_http(admin_user), foreign_targets)
    missing = {name: url for name, url, _ in walk(foreign_targets, missing=True)}
    http = _http(request.getfixturevalue(persona))
    writes = _writes()
    problems = []
    for name, url in post_only:
        body = POST_BODIES.get(name, {})
        status, as_missing = http.post(url, body).status_code, http.post(missing[name], body).status_code
        if status not in (403, 404) or status != as_missing:
            problems.append(f"{name} {url}: {status} (a missing object gives {as_missing})")
    assert len(post_only) >= 12
    assert not problems, problems
    assert _writes() == writes  # nothing written at the other site


def _admin_urls():
    """Every admin page without arguments, and each model admin's object pages for the first
    row of its model."""
    urls = [reverse("admin:index"), reverse("admin:password_change")]
    urls += [reverse("admin:app_list", args=[label]) for label in {m._meta.app_label for m in admin.site._registry}]
    for model, model_admin in admin.site._registry.items():
        row = model._default_manager.order_by("pk").first()
        first_history = row.history.order_by("history_id").first() if hasattr(row, "history") else None
        history_id = getattr(first_history, "history_id", None)
        for pattern in model_admin.get_urls():
            groups = pattern.pattern.regex.groups
            args = [getattr(row, "pk", None), history_id][:groups]
            if pattern.name and None not in args:
                urls.append(reverse(f"admin:{pattern.name}", args=args))
    return sorted(urls)


@pytest.mark.parametrize("persona", ["programadmin", "admin_user"])
def test_every_admin_page_opens_for_the_program_admins(request, targets, persona):
    """The site-1 program admin (staff, not superuser) and the superuser over every admin URL:
    GET never a server error, never "method not allowed"."""
    http = _http(request.getfixturevalue(persona))
    assert http.get(reverse("admin:index")).status_code == 200  # signed in to the admin
    problems = []
    for url in _admin_urls():
        status = http.get(url).status_code
        if status >= 500 or status == 405:
            problems.append(f"{url}: {status}")
    assert not problems, problems
