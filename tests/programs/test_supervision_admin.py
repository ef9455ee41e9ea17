"""Programs → Supervisions: who needs co-signature and by whom, scoped to the admin's sites."""

from django.urls import reverse

from programs.models import Supervision, cosign_supervisor_for
from programs.roles import THERAPIST
from tests.factories import UserFactory

ADD = "admin:programs_supervision_add"


def test_program_admin_marks_a_trainee_as_needing_cosignature(as_programadmin, site1, therapist):
    trainee = UserFactory(username="trainee", role=THERAPIST, sites=[site1])
    response = as_programadmin.post(reverse(ADD), {"clinician": trainee.pk, "supervisor": therapist.pk, "active": "on"})
    assert response.status_code == 302
    assert cosign_supervisor_for(trainee) == therapist
    assert cosign_supervisor_for(therapist) is None
    assert Supervision.history.count() == 1


def test_the_choices_and_the_list_hold_the_admins_sites_only(as_programadmin, site1, site2, therapist, therapist2):
    form = as_programadmin.get(reverse(ADD)).context["adminform"].form
    assert therapist2 not in form.fields["clinician"].queryset
    assert therapist2 not in form.fields["supervisor"].queryset
    other = UserFactory(username="other", role=THERAPIST, sites=[site2])
    row = Supervision.objects.create(clinician=other, supervisor=therapist2)
    changelist = as_programadmin.get(reverse("admin:programs_supervision_changelist")).context["cl"].result_list
    assert row not in changelist
    assert as_programadmin.get(reverse("admin:programs_supervision_change", args=[row.pk])).status_code == 404


def test_a_supervisor_must_share_a_site_and_not_be_the_clinician(as_admin, site1, site2, therapist, therapist2):
    self_response = as_admin.post(reverse(ADD), {"clinician": therapist.pk, "supervisor": therapist.pk})
    assert "cannot co-sign their own notes" in self_response.content.decode()
    elsewhere = as_admin.post(reverse(ADD), {"clinician": therapist.pk, "supervisor": therapist2.pk})
    assert "must work at one of the clinician" in elsewhere.content.decode()
    assert not Supervision.objects.exists()
