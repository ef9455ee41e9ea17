"""Co-signature: a trainee's signed check-ins and group notes wait for their named supervisor,
who co-signs without changing a word (the SHA-256 still matches)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from attendance import services as attendance_services
from checkins.models import CheckIn
from checkins.services import checkin_cosign, checkin_save, checkin_sign
from programs.models import Supervision
from programs.roles import THERAPIST
from tests.conftest import _login
from tests.factories import AttendanceFactory, SessionFactory, UserFactory

FIELDS = {"risk": "none", "recommendation": "continue", "note": "Attended every group; cravings down."}


@pytest.fixture
def supervisor(site1):
    return UserFactory(username="supervisor", first_name="Sam", last_name="Super", role=THERAPIST, sites=[site1])


@pytest.fixture
def trainee(site1, supervisor):
    user = UserFactory(username="trainee", first_name="Tia", last_name="Trainee", role=THERAPIST, sites=[site1])
    Supervision.objects.create(clinician=user, supervisor=supervisor)
    return user


@pytest.fixture
def trainee_checkin(episode1, trainee, this_monday):
    draft = checkin_save(episode=episode1, week=this_monday, author=trainee, fields=FIELDS)
    return checkin_sign(checkin=draft, by=trainee, seen_version=draft.version)


def _week_url(checkin):
    return reverse("checkins:week", args=[checkin.episode_id, checkin.week.isoformat()])


def test_a_trainees_signed_checkin_awaits_the_named_supervisor(trainee_checkin, supervisor):
    assert trainee_checkin.cosign_supervisor == supervisor
    assert trainee_checkin.awaiting_cosignature


def test_a_clinician_without_supervision_needs_no_cosignature(episode1, therapist, this_monday):
    draft = checkin_save(episode=episode1, week=this_monday, author=therapist, fields=FIELDS)
    signed = checkin_sign(checkin=draft, by=therapist)
    assert signed.cosign_supervisor is None and not signed.awaiting_cosignature


def test_an_inactive_supervision_needs_no_cosignature(episode1, trainee, this_monday):
    Supervision.objects.filter(clinician=trainee).update(active=False)
    draft = checkin_save(episode=episode1, week=this_monday, author=trainee, fields=FIELDS)
    assert checkin_sign(checkin=draft, by=trainee).cosign_supervisor is None


def test_cosigning_records_who_and_when_and_leaves_the_text_and_digest_unchanged(trainee_checkin, supervisor):
    before = CheckIn.objects.get(pk=trainee_checkin.pk)
    content_before = before.signed_content()
    cosigned = checkin_cosign(checkin=trainee_checkin, by=supervisor)
    after = CheckIn.objects.get(pk=trainee_checkin.pk)
    assert after.cosigned_by == supervisor and after.cosigned_at is not None
    assert after.signed_content() == content_before
    assert after.signature_sha256 == before.signature_sha256
    assert after.signature_check == "intact"
    assert (after.note, after.version, after.updated_at) == (before.note, before.version, before.updated_at)
    assert not cosigned.awaiting_cosignature


def test_only_the_named_supervisor_can_cosign(trainee_checkin, therapist, trainee):
    for someone in (therapist, trainee):
        with pytest.raises(ValidationError, match="Only Sam Super, the named supervisor"):
            checkin_cosign(checkin=trainee_checkin, by=someone)
    assert CheckIn.objects.get(pk=trainee_checkin.pk).cosigned_at is None


def test_a_second_cosignature_is_refused_and_changes_nothing(trainee_checkin, supervisor):
    first = checkin_cosign(checkin=trainee_checkin, by=supervisor)
    with pytest.raises(ValidationError, match="already co-signed"):
        checkin_cosign(checkin=trainee_checkin, by=supervisor)
    assert CheckIn.objects.get(pk=trainee_checkin.pk).cosigned_at == first.cosigned_at


def test_a_draft_cannot_be_cosigned(episode1, trainee, supervisor, this_monday):
    draft = checkin_save(episode=episode1, week=this_monday, author=trainee, fields=FIELDS)
    with pytest.raises(ValidationError, match="not signed yet"):
        checkin_cosign(checkin=draft, by=supervisor)


def test_cosigning_makes_the_markers_snapshot_stale(trainee_checkin, supervisor):
    episode = trainee_checkin.episode
    episode.refresh_from_db()
    version = episode.inputs_version
    checkin_cosign(checkin=trainee_checkin, by=supervisor)
    episode.refresh_from_db()
    assert episode.inputs_version > version


def test_the_checkin_page_shows_awaiting_then_cosigned(trainee_checkin, supervisor, as_therapist):
    url = _week_url(trainee_checkin)
    page = as_therapist.get(url).content.decode()
    assert "Awaiting co-signature</strong> by Sam Super" in page
    assert reverse("checkins:cosign", args=[trainee_checkin.pk]) not in page  # not theirs to co-sign

    as_supervisor = _login(supervisor)
    assert reverse("checkins:cosign", args=[trainee_checkin.pk]) in as_supervisor.get(url).content.decode()
    response = as_supervisor.post(reverse("checkins:cosign", args=[trainee_checkin.pk]))
    assert response.status_code == 302
    page = as_therapist.get(url).content.decode()
    assert "Co-signed by Sam Super" in page and "Awaiting co-signature" not in page


def test_posting_a_cosignature_as_someone_else_is_refused(trainee_checkin, as_therapist):
    response = as_therapist.post(reverse("checkins:cosign", args=[trainee_checkin.pk]))
    assert response.status_code == 403
    assert CheckIn.objects.get(pk=trainee_checkin.pk).cosigned_at is None


def test_a_double_submit_makes_one_cosignature(trainee_checkin, supervisor):
    http = _login(supervisor)
    key = "5b0c3a6e-8f35-4a8e-9d0b-7b7f3c1c9a01"
    url = reverse("checkins:cosign", args=[trainee_checkin.pk])
    first = http.post(url, {"submission_key": key})
    second = http.post(url, {"submission_key": key}, follow=True)
    assert first.status_code == 302
    assert "already submitted" in second.content.decode()
    history = CheckIn.history.filter(id=trainee_checkin.pk, cosigned_at__isnull=False)
    assert history.count() == 1


def test_a_trainees_group_note_awaits_and_is_cosigned_without_change(episode1, trainee, supervisor):
    session = SessionFactory(site=episode1.site, track=episode1.track, group_note="Relapse prevention.")
    AttendanceFactory(session=session, episode=episode1)
    signed = attendance_services.session_note_sign(session=session, by=trainee)
    assert signed.awaiting_cosignature and signed.cosign_supervisor == supervisor
    digest = signed.signature_sha256
    url = reverse("attendance:session", args=[session.pk])
    assert "Awaiting co-signature</strong> by Sam Super" in _login(trainee).get(url).content.decode()

    response = _login(supervisor).post(reverse("attendance:session_cosign", args=[session.pk]))
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.cosigned_by == supervisor and session.signature_sha256 == digest
    assert session.signature_check == "intact" and session.group_note == "Relapse prevention."
    assert "Co-signed by Sam Super" in _login(trainee).get(url).content.decode()


def test_only_the_supervisor_may_post_a_group_note_cosignature(episode1, trainee, therapist):
    session = SessionFactory(site=episode1.site, track=episode1.track, group_note="Relapse prevention.")
    attendance_services.session_note_sign(session=session, by=trainee)
    response = _login(therapist).post(reverse("attendance:session_cosign", args=[session.pk]))
    assert response.status_code == 403
    session.refresh_from_db()
    assert session.cosigned_at is None
