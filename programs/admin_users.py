"""The user admin, scoped to the program admin's sites (replaces django.contrib.auth's).

A non-superuser admin (a site's program admin):
- sees the users who work at one of their sites, and manages (changes, sets the password of,
  deletes) only those whose every site is one of theirs and who are not superusers; others are
  view-only;
- places users at their own sites only (each user works at one site at least);
- grants the program's roles (``programs.roles.ROLES``) and the groups they belong to, and
  individual permissions they hold themselves; anything else a user holds is kept as it is;
- gives admin-site access (staff status) only together with the Program admin role.

Nobody becomes (or stops being) a superuser here, superusers included: superusers come only
from ``manage.py createsuperuser``, so a stolen admin session can never mint one.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group, Permission
from django.db.models import Q

from iop.admin import ScopedAdminMixin
from programs.models import Site
from programs.roles import PROGRAM_ADMIN, ROLES

User = get_user_model()


def users_visible_to(user):
    """Users who work at one of ``user``'s sites (superusers: everyone)."""
    if user.is_superuser:
        return User.objects.all()
    return User.objects.filter(sites__in=Site.objects.for_user(user)).distinct()


def user_manageable_by(editor, target):
    if editor.is_superuser:
        return True
    if target.is_superuser:
        return False
    theirs = set(target.sites.values_list("pk", flat=True))
    return bool(theirs) and theirs <= set(editor.sites.values_list("pk", flat=True))


def groups_grantable_by(user):
    if user.is_superuser:
        return Group.objects.all()
    return Group.objects.filter(Q(name__in=ROLES) | Q(user=user)).distinct()


def permissions_grantable_by(user):
    permissions = Permission.objects.select_related("content_type")
    if user.is_superuser:
        return permissions
    return permissions.filter(Q(group__user=user) | Q(user=user)).distinct()


def _sites_field():
    return forms.ModelMultipleChoiceField(
        label="Sites",
        queryset=Site.objects.none(),
        required=False,
        widget=FilteredSelectMultiple("sites", is_stacked=False),
        help_text="The user sees the clients of these sites only.",
    )


class ScopedUserFormMixin:
    """Limits the choices to what ``editor`` may grant (set per request by the admin)."""

    editor = None

    def scope_fields(self):
        sites = Site.objects.for_user(self.editor)
        self.fields["work_sites"].queryset = sites
        self.fields["work_sites"].required = not self.editor.is_superuser
        if self.instance.pk:
            self.fields["work_sites"].initial = list(self.instance.sites.filter(pk__in=sites))
        if "groups" in self.fields:
            self.fields["groups"].queryset = groups_grantable_by(self.editor)
        if "user_permissions" in self.fields:
            self.fields["user_permissions"].queryset = permissions_grantable_by(self.editor)

    def clean(self):
        cleaned = super().clean()
        if self.editor.is_superuser or not cleaned.get("is_staff"):
            return cleaned
        if not any(g.name == PROGRAM_ADMIN for g in cleaned.get("groups") or ()):
            self.add_error("is_staff", "Admin-site access (staff status) goes with the Program admin role only.")
        return cleaned


class ScopedUserChangeForm(ScopedUserFormMixin, UserChangeForm):
    work_sites = _sites_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope_fields()


class ScopedUserCreationForm(ScopedUserFormMixin, AdminUserCreationForm):
    work_sites = _sites_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope_fields()


admin.site.unregister(User)


@admin.register(User)
class ScopedUserAdmin(ScopedAdminMixin, UserAdmin):
    form = ScopedUserChangeForm
    add_form = ScopedUserCreationForm
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name", "email")}),
        (
            "Sites and roles",
            {"fields": ("work_sites", "is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {"classes": ("wide",), "fields": ("username", "usable_password", "password1", "password2", "work_sites")},
        ),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).filter(pk__in=users_visible_to(request.user).values("pk"))

    def choices_queryset(self, request):
        return users_visible_to(request.user)

    @admin.display(description="Sites")
    def work_sites(self, obj):  # shown when the page is view-only
        return ", ".join(site.name for site in obj.sites.all())

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "is_superuser"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"editor": request.user})

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.is_superuser:
            actions.pop("delete_selected", None)  # it checks no row: one user at a time
        return actions

    def has_change_permission(self, request, obj=None):
        if obj is not None and not user_manageable_by(request.user, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not user_manageable_by(request.user, obj):
            return False
        return super().has_delete_permission(request, obj)

    def get_deleted_objects(self, objs, request):
        """The delete page names the users only: the rows a user wrote or is named in may
        belong to another site (where they used to work), so they are counted, not listed."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        if request.user.is_superuser:
            return deleted, counts, perms_needed, protected
        if protected:
            protected = [f"{len(protected)} clinical record(s): deactivate the account (untick Active) instead"]
        return [str(user) for user in objs], counts, perms_needed, protected

    def save_related(self, request, form, formsets, change):
        """Save the choices the editor made and keep what they could not see."""
        user, editor = form.instance, request.user
        kept_groups = list(user.groups.exclude(pk__in=groups_grantable_by(editor)))
        kept_permissions = list(user.user_permissions.exclude(pk__in=permissions_grantable_by(editor)))
        kept_sites = list(user.sites.exclude(pk__in=Site.objects.for_user(editor)))
        super().save_related(request, form, formsets, change)
        user.groups.add(*kept_groups)
        user.user_permissions.add(*kept_permissions)
        user.sites.set([*form.cleaned_data["work_sites"], *kept_sites])
