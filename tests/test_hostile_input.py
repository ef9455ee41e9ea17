"""#14: hostile values (NUL, very long strings, unicode, SQL- and HTML-looking text, bad dates
and numbers, bad ``next``) thrown at every form of the app by signed-in staff: never a 500, and
a submission with an invalid value writes nothing.

The forms are not listed by hand: every page of the URL walk (tests/test_urls.py) is opened as
each role and every ``<form>`` on it is read — its action, method and fields — so a form added
later is attacked too. Each form gets a bounded number of hypothesis examples, each run in a
savepoint that is rolled back, so the examples do not depend on each other.
"""

from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.apps import apps
from django.db import transaction
from django.test import Client as HttpClient
from django.urls import resolve
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.test_urls import targets, walk  # noqa: F401  (targets is the walk's fixture)

EXAMPLES_PER_FORM = 6
# Django's own account forms are out of scope here (sign-out would end the test's session).
SKIPPED_ACTIONS = ("/accounts/", "/admin/")
# Rows that a refused submission may still write: the audit trail of the page shown again,
# the session (messages), the history of a session row.
NOT_CLINICAL = {"audit.accessevent", "sessions.session"}

NUL = "bad\x00value"
HOSTILE = [
    NUL,
    "\x00",
    "x" * 5000,
    "' OR 1=1 --",
    "1; DROP TABLE clients_client;--",
    '<script>alert("x")</script>',
    '"><img src=x onerror=alert(1)>',
    "Ünïcödé – 漢字 – 😀 – \u202e",
    "9999-12-31",
    "0000-00-00",
    "2026-02-30",
    "1900-01-01",
    "-1",
    "1e309",
    "NaN",
    "99999999999999999999999",
    "0x10",
    "[]",
    "",
    "   ",
]
BAD_NEXT = ["ab", "clients:list", "//evil.example/", "https://evil.example/", "javascript:alert(1)", "\x00", "/\n/x"]


class _Forms(HTMLParser):
    """Every form of a page: action, method, fields as {name: [values offered]}, buttons."""

    def __init__(self, page_url):
        super().__init__()
        self.page_url = page_url
        self.forms = []
        self._form = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            action = a.get("action") or self.page_url
            self._form = {"action": action, "method": (a.get("method") or "get").lower(), "fields": {}, "kinds": {}}
            self.forms.append(self._form)
        elif self._form is None or not a.get("name"):
            return
        elif tag in ("input", "textarea", "select", "button"):
            name, kind = a["name"], (a.get("type") or tag).lower()
            if tag == "button" or kind == "submit":
                kind = "button"
            self._form["kinds"].setdefault(name, kind)
            values = self._form["fields"].setdefault(name, [])
            if tag != "select" and (a.get("value") is not None or kind not in ("checkbox", "radio")):
                values.append(a.get("value") or "")
            self._select = name if tag == "select" else None
        elif tag == "option" and self._select:
            self._form["fields"][self._select].append(a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def _forms_of(http, pages):
    """The distinct forms of the pages (one per url name, method and field names)."""
    found = {}
    for url in pages:
        response = http.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        parser = _Forms(url)
        parser.feed(response.content.decode())
        for form in parser.forms:
            path = urlsplit(form["action"]).path
            if path.startswith(SKIPPED_ACTIONS):
                continue
            form["action"] = path
            key = (resolve(path).view_name, form["method"], tuple(sorted(form["fields"])))
            found.setdefault(key, form)
    return found


def _row_counts():
    return {
        m._meta.label_lower: m._default_manager.count()
        for m in apps.get_models()
        if m._meta.label_lower not in NOT_CLINICAL and not m._meta.proxy
    }


def _offered(form, name):
    return (form["fields"].get(name) or [""])[0]


def _baseline(form):
    """The form as the page offers it (first value of each field)."""
    return {n: _offered(form, n) for n in form["fields"] if n != "csrfmiddlewaretoken"}


def _data_fields(form):
    """Fields whose NUL value makes the submission invalid: not buttons, checkboxes or ``next``."""
    kinds = form["kinds"]
    return sorted(n for n in _baseline(form) if kinds[n] not in ("button", "checkbox") and n != "next")


def _check(http, form, data, problems):
    """Send ``data``; record a 5xx, and any row written by a submission holding a NUL in a
    data field (invalid whatever the form). Rolled back afterwards."""
    label = f"{form['method'].upper()} {form['action']} {data!r:.300}"
    with transaction.atomic():
        before = _row_counts()
        response = (http.post if form["method"] == "post" else http.get)(form["action"], data)
        if response.status_code >= 500:
            problems.append(f"{label}: {response.status_code}")
        invalid = any("\x00" in data.get(n, "") for n in _data_fields(form))
        if form["method"] == "post" and invalid and (after := _row_counts()) != before:
            changed = {k: (before[k], after[k]) for k in after if after[k] != before[k]}
            problems.append(f"{label}: invalid, yet wrote {changed}")
        transaction.set_rollback(True)


def _sweep(http, form, problems):
    """Each data field in turn holds a NUL, the others what the page offered: never a write."""
    for name in _data_fields(form):
        _check(http, form, {**_baseline(form), name: NUL}, problems)


def _attack(http, form, problems):
    """Hypothesis: a few fields get hostile values, the rest what the page offered, and a
    ``next`` that is bad or not."""
    names = sorted(_baseline(form)) or ["q"]
    hostile = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40))

    @settings(
        max_examples=EXAMPLES_PER_FORM,
        deadline=None,
        derandomize=True,  # the same examples on every run: CI never flickers
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        changes=st.dictionaries(st.sampled_from(names), hostile, min_size=1, max_size=3),
        nxt=st.sampled_from(BAD_NEXT),
    )
    def attack(changes, nxt):
        _check(http, form, {**_baseline(form), **changes, "next": nxt}, problems)

    attack()


def test_hostile_values_in_every_form_never_give_a_500_nor_a_write(admin_user, targets):  # noqa: F811
    """As the superuser, who is shown every form and passes every permission check."""
    http = HttpClient(raise_request_exception=False)
    http.force_login(admin_user)
    forms = _forms_of(http, [url for _name, url, _ in walk(targets)])
    assert len(forms) >= 10, sorted(forms)  # the walk reached the app's forms
    problems = []
    for form in forms.values():
        _sweep(http, form, problems)
        _attack(http, form, problems)
    assert not problems, "\n".join(problems)


# Every query parameter a view reads (request.GET), for the pages that read them.
QUERY_PARAMETERS = ("add", "date", "episode", "next", "page", "panel", "q", "scope", "site", "sort", "status", "week")


def test_hostile_query_parameters_on_every_page_never_give_a_500(admin_user, targets):  # noqa: F811
    http = HttpClient(raise_request_exception=False)
    http.force_login(admin_user)
    problems = []
    for value in (NUL, "99999999999999999999999", "2026-02-30", "²"):
        for name, url, _ in walk(targets):
            response = http.get(url, dict.fromkeys(QUERY_PARAMETERS, value))
            if response.status_code >= 500:
                problems.append(f"{name} {url} ?…={value[:20]!r}: {response.status_code}")
    assert not problems, "\n".join(problems)
