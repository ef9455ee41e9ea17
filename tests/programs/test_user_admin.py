"""The user admin as a site-1 program admin (issue 12 #1): own sites' users only, no
superuser, staff status or group beyond what they may grant."""

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from programs.roles import CASE_MANAGER, PROGRAM_ADMIN, THERAPIST
from tests.admin_helpers import form_data
from tests.factories import PASSWORD, ClientFactory, EpisodeFactory, UserFactory


def _change(user):
    return reverse("admin:auth_user_change", args=[user.pk])


def _post_change(http, user, **changes):
    data = form_data(http.get(_change(user)))
    data.update(changes)
    for name, value in list(data.items()):
        if value is None:
            del data[name]
    return http.post(_change(user), data)


def test_a_program_admin_cannot_make_itself_superuser(as_programadmin, programadmin):
    response = _post_change(as_programadmin, programadmin, is_superuser="on")

    programadmin.refresh_from_db()
    assert response.status_code == 302  # the rest of the form saved…
    assert programadmin.is_superuser is False  # …but not that
    assert programadmin.is_staff is True


def test_nor_can_a_superuser_toggle_superuser_status_in_the_admin(as_admin, admin_user, therapist):
    _post_change(as_admin, therapist, is_superuser="on")
    _post_change(as_admin, admin_user, is_superuser=None)

    therapist.refresh_from_db()
    admin_user.refresh_from_db()
    assert (therapist.is_superuser, admin_user.is_superuser) == (False, True)


def test_the_user_list_shows_only_users_of_the_admins_sites(as_programadmin, therapist, casemanager, therapist2):
    response = as_programadmin.get(reverse("admin:auth_user_changelist"))

    shown = {u.username for u in response.context["cl"].result_list}
    assert shown == {"programadmin", "therapist", "casemanager"}
    assert as_programadmin.get(_change(therapist2)).status_code == 404


def test_another_sites_staff_cannot_be_edited_or_given_a_password(as_programadmin, therapist2):
    for url in (_change(therapist2), reverse("admin:auth_user_password_change", args=[therapist2.pk])):
        response = as_programadmin.post(
            url, {"username": "taken", "password1": "x-Secret-99", "password2": "x-Secret-99"}
        )
        assert response.status_code == 404, url
    therapist2.refresh_from_db()
    assert therapist2.username == "therapist2" and therapist2.check_password(PASSWORD)


def test_a_superuser_at_the_site_is_view_only_and_keeps_its_password(as_programadmin, admin_user):
    page = as_programadmin.get(_change(admin_user))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()

    password = reverse("admin:auth_user_password_change", args=[admin_user.pk])
    response = as_programadmin.post(password, {"password1": "x-Secret-99", "password2": "x-Secret-99"})

    assert response.status_code == 403
    assert as_programadmin.post(_change(admin_user), {"username": "hijacked"}).status_code == 403
    admin_user.refresh_from_db()
    assert admin_user.username == "admin" and admin_user.check_password(PASSWORD)


def test_a_user_who_also_works_at_another_site_is_view_only(as_programadmin, site1, site2):
    both = UserFactory(username="floater", role=THERAPIST, sites=[site1, site2])

    assert as_programadmin.get(_change(both)).status_code == 200
    assert as_programadmin.post(_change(both), {"username": "moved"}).status_code == 403
    both.refresh_from_db()
    assert both.username == "floater"


def test_the_program_admin_grants_roles_at_its_sites(as_programadmin, therapist, site1):
    case_manager = Group.objects.get(name=CASE_MANAGER)

    response = _post_change(as_programadmin, therapist, groups=[str(case_manager.pk)], work_sites=[str(site1.pk)])

    assert response.status_code == 302
    assert [g.name for g in therapist.groups.all()] == [CASE_MANAGER]
    assert list(therapist.sites.all()) == [site1]


@pytest.mark.parametrize("grant", ["other_site", "custom_group", "permission", "staff_without_role"])
def test_nothing_beyond_the_admins_own_reach_can_be_granted(as_programadmin, therapist, site2, grant):
    custom = Group.objects.create(name="Auditors")
    foreign_permission = Group.objects.get(name=THERAPIST).permissions.get(codename="add_checkin")
    changes = {
        "other_site": {"work_sites": [str(site2.pk)]},
        "custom_group": {"groups": [str(custom.pk)]},
        "permission": {"user_permissions": [str(foreign_permission.pk)]},
        "staff_without_role": {"is_staff": "on"},
    }[grant]

    response = _post_change(as_programadmin, therapist, **changes)

    assert response.status_code == 200  # the form again, with the field's error
    assert response.context["adminform"].form.errors
    therapist.refresh_from_db()
    assert list(therapist.sites.values_list("code", flat=True)) == ["RIC"]
    assert [g.name for g in therapist.groups.all()] == [THERAPIST]
    assert (therapist.is_staff, therapist.user_permissions.count()) == (False, 0)


def test_staff_status_goes_with_the_program_admin_role(as_programadmin, therapist):
    program_admin = Group.objects.get(name=PROGRAM_ADMIN)

    response = _post_change(as_programadmin, therapist, is_staff="on", groups=[str(program_admin.pk)])

    assert response.status_code == 302
    therapist.refresh_from_db()
    assert therapist.is_staff and not therapist.is_superuser


def test_groups_the_admin_cannot_grant_are_kept_when_it_edits_a_user(as_programadmin, therapist):
    auditors = Group.objects.create(name="Auditors")
    therapist.groups.add(auditors)

    shown = [str(Group.objects.get(name=THERAPIST).pk)]  # the page offers no other group

    _post_change(as_programadmin, therapist, first_name="Renamed", groups=shown)

    therapist.refresh_from_db()
    assert therapist.first_name == "Renamed"
    assert {g.name for g in therapist.groups.all()} == {THERAPIST, "Auditors"}


def test_a_new_user_is_placed_at_the_admins_sites_only(as_programadmin, site1, site2):
    add = reverse("admin:auth_user_add")
    base = {
        "username": "newhire",
        "usable_password": "true",
        "password1": "a-long-Secret-99",
        "password2": "a-long-Secret-99",
    }

    refused = [as_programadmin.post(add, {**base, **extra}) for extra in ({}, {"work_sites": [str(site2.pk)]})]
    created = as_programadmin.post(add, {**base, "work_sites": [str(site1.pk)]})

    assert [list(r.context["adminform"].form.errors) for r in refused] == [["work_sites"], ["work_sites"]]
    assert created.status_code == 302
    assert created.status_code == 302
    new = get_user_model().objects.get(username="newhire")
    assert list(new.sites.all()) == [site1]
    assert not (new.is_staff or new.is_superuser)


def test_users_are_not_bulk_deleted_by_a_program_admin(as_programadmin, admin_user, therapist):
    response = as_programadmin.post(
        reverse("admin:auth_user_changelist"),
        {"action": "delete_selected", "_selected_action": [admin_user.pk, therapist.pk], "post": "yes"},
    )
    assert response.status_code in (200, 302)
    assert type(admin_user).objects.filter(pk__in=[admin_user.pk, therapist.pk]).count() == 2


def test_the_delete_page_does_not_list_what_a_user_did_elsewhere(as_programadmin, site1, site2):
    mover = UserFactory(username="mover", role=PROGRAM_ADMIN, sites=[site1])  # used to work at site 2
    client = EpisodeFactory(client=ClientFactory(mrn="NOR-0042", last_name="Quimby"), site=site2).client
    LogEntry.objects.log_actions(user_id=mover.pk, queryset=[client], action_flag=CHANGE, change_message="[]")

    page = as_programadmin.get(reverse("admin:auth_user_delete", args=[mover.pk]))

    assert page.status_code == 200 and "mover" in page.content.decode()
    assert "Quimby" not in page.content.decode()
