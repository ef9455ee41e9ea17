"""Every admin page of every registered model, walked (issue 12 #2 and #8).

The walk reads the admin registry and each model admin's URL patterns at run time, so a model
or an admin view added later is walked too. Both sites hold one row of every clinical model
(``one_of_each_record``); site 2's client and staff carry names that must never reach a
site-1 program admin:
- every object view (change, delete, history, history detail, password…) of a site-2 row
  answers 403/404 to GET and POST and changes nothing;
- changelists, searches, add pages, actions and autocomplete show no site-2 row;
- no page of either persona is a server error.
"""

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from clients.models import Episode
from iop.admin import SiteScopedAdminMixin
from tests.admin_helpers import one_of_each_record
from tests.conftest import _login
from tests.factories import ClientFactory, EpisodeFactory, TrackFactory, UserFactory

SECRETS = ("Zelda", "Quimby", "NOR-0042", "Vantongeren")  # site 2's client (name, MRN) and staff
REGISTRY = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


@pytest.fixture
def world(episode1, therapist, site2):
    """{model: [site-1 rows]}, {model: [site-2 rows]}."""
    staff2 = UserFactory(username="nor_staff", first_name="Wilhelmina", last_name="Vantongeren", sites=[site2])
    staff2.groups.add(*therapist.groups.all())
    episode2 = EpisodeFactory(
        client=ClientFactory(mrn="NOR-0042", first_name="Zelda", last_name="Quimby"),
        ref="NOR-0042-1",
        site=site2,
        track=TrackFactory(site=site2, code="NOR-EVE", name="Evening"),
        primary_therapist=staff2,
    )
    return one_of_each_record(episode1, therapist), one_of_each_record(episode2, staff2)


def _leaks(response):
    text = response.content.decode(errors="replace")
    return [secret for secret in SECRETS if secret.lower() in text.lower()]


def _object_urls(model_admin, obj):
    """Every URL of ``model_admin`` that takes an object: (name, url)."""
    history = getattr(obj, "history", None)
    history_id = history.order_by("history_id").first().history_id if history is not None else None
    for pattern in model_admin.get_urls():
        groups = pattern.pattern.regex.groups
        if not pattern.name or groups == 0:
            continue
        args = [obj.pk, history_id][:groups]
        if None not in args:
            yield pattern.name, reverse(f"admin:{pattern.name}", args=args)


def _snapshot(rows):
    return {(type(r), r.pk): {f.attname: getattr(r, f.attname) for f in r._meta.concrete_fields} for r in rows}


def _fresh(rows):
    return [type(r)._default_manager.get(pk=r.pk) for r in rows]


LOGS = {"audit.AccessEvent"}  # every admin view logs who looked (audit/admin_mixins.py)


def _counts():
    return {model._meta.label: model._default_manager.count() for model, _ in REGISTRY if model._meta.label not in LOGS}


def _changelist(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def test_the_fixture_has_a_site_2_row_for_every_site_scoped_admin(world):
    _, site2_rows = world
    scoped = {m for m, a in REGISTRY if isinstance(a, SiteScopedAdminMixin) and a.site_path}
    assert scoped - set(site2_rows) == set()


def test_a_site_1_program_admin_reaches_no_site_2_row_through_any_admin_view(as_programadmin, world):
    site1_rows, site2_rows = world
    foreign = [row for rows in site2_rows.values() for row in rows]
    before, counts = _snapshot(_fresh(foreign)), _counts()
    problems = []

    for model, rows in site2_rows.items():
        model_admin = admin.site._registry.get(model)
        for row in rows if model_admin else ():
            for name, url in _object_urls(model_admin, row):
                for method in ("get", "post"):
                    response = getattr(as_programadmin, method)(url, {"username": "x", "group_note": "x"}, follow=True)
                    if response.status_code not in (403, 404) or _leaks(response):
                        problems.append(f"{method.upper()} {name} {url}: {response.status_code} {_leaks(response)}")

    for model, model_admin in REGISTRY:
        url = _changelist(model)
        mine = {r.pk for r in site2_rows.get(model, [])}
        for params in [{}] + [{"q": secret} for secret in SECRETS]:
            response = as_programadmin.get(url, params)
            shown = {r.pk for r in response.context["cl"].result_list} if response.status_code == 200 else set()
            if response.status_code >= 500 or shown & mine or (not params and _leaks(response)):
                problems.append(f"changelist {url} {params}: {response.status_code} {shown & mine}")
        actions = model_admin.get_actions(_request_for(as_programadmin, url))
        for action in actions:
            response = as_programadmin.post(url, _action_data(action, mine), follow=True)
            if response.status_code >= 500 or _leaks(response):
                problems.append(f"action {action} on {url}: {response.status_code} {_leaks(response)}")

    for term in SECRETS:
        for app_label, model_name, field_name in _autocomplete_sources():
            response = as_programadmin.get(
                reverse("admin:autocomplete"),
                {"app_label": app_label, "model_name": model_name, "field_name": field_name, "term": term},
            )
            if response.status_code >= 500 or _leaks(response):
                problems.append(f"autocomplete {model_name}.{field_name}={term}: {response.status_code}")

    assert not problems, problems
    assert _snapshot(_fresh(foreign)) == before  # nothing of site 2 changed…
    assert _counts() == counts  # …nor was anything added or removed
    assert site1_rows  # and site 1's rows were there to be seen (see the next test)


def test_the_site_1_program_admin_does_see_its_own_rows(as_programadmin, world):
    site1_rows, _ = world
    for model, rows in site1_rows.items():
        model_admin = admin.site._registry.get(model)
        if not isinstance(model_admin, SiteScopedAdminMixin) or not model_admin.site_path:
            continue
        response = as_programadmin.get(_changelist(model))
        assert {r.pk for r in rows} <= {r.pk for r in response.context["cl"].result_list}, model


def _request_for(http, url):
    """A request of ``http``'s user, for the admin's get_actions."""
    return http.get(url).wsgi_request


def _action_data(action, pks):
    today = timezone.localdate()
    return {
        "action": action,
        "_selected_action": [str(pk) for pk in pks],
        "index": "0",
        "post": "yes",
        "apply": "1",
        "date_from": today.isoformat(),
        "date_to": today.isoformat(),
    }


def _autocomplete_sources():
    """(app_label, model_name, field_name) of every relation field of a registered model whose
    target's admin can be searched: what the autocomplete view answers for (it does not
    require the field to be in ``autocomplete_fields``)."""
    for model, _ in REGISTRY:
        for field in model._meta.get_fields():
            if not (field.is_relation and field.concrete) or field.related_model is None:
                continue
            target = admin.site._registry.get(field.related_model)
            if target is not None and target.search_fields:
                yield model._meta.app_label, model._meta.model_name, field.name


@pytest.mark.parametrize("persona", ["admin_user", "programadmin"])
def test_every_changelist_add_and_change_page_of_every_model_opens(request, world, persona):
    """As superuser and as site-1 program admin: no page is a 500 (the check-in change page
    was, #8); the program admin's pages show nothing of site 2."""
    http = _login(request.getfixturevalue(persona))
    http.raise_request_exception = False  # a crash shows as a 500 in the report
    site1_rows, _ = world
    problems = []
    for model, model_admin in REGISTRY:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls = [reverse(f"{prefix}_changelist"), reverse(f"{prefix}_add")]
        for row in site1_rows.get(model, []):
            urls += [url for _, url in _object_urls(model_admin, row)]
        for url in urls:
            response = http.get(url, follow=True)
            leaks = _leaks(response) if persona == "programadmin" else []
            if response.status_code >= 500 or leaks:
                problems.append(f"{url}: {response.status_code} {leaks}")
    assert not problems, problems


def test_a_history_detail_of_another_object_is_not_reachable_through_an_own_objects_url(as_programadmin, world):
    site1_rows, site2_rows = world
    own, foreign = site1_rows[Episode][0], site2_rows[Episode][0].history.first()
    url = reverse("admin:clients_episode_simple_history", args=[own.pk, foreign.history_id])
    assert as_programadmin.get(url).status_code == 404


def test_a_bad_history_id_is_a_404_not_a_500(as_admin, episode1):
    as_admin.raise_request_exception = False
    url = f"/admin/clients/episode/{episode1.pk}/history/not-a-number/"
    assert as_admin.get(url).status_code == 404
