"""Court, probation and employer letters: released only under an active consent, only what it
covers, always with the §2.32 notice; each issue is one Disclosure and its PDF kept as issued."""

import datetime as dt
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from attendance.models import Attendance
from audit.models import AccessEvent
from consents.models import Disclosure
from consents.notice import PART2_NOTICE
from screening.models import ScreenResult
from tests.consents.conftest import pdf_text
from tests.factories import (
    AnalyteFactory,
    AttendanceFactory,
    ConsentFactory,
    ScreenFactory,
    ScreenResultFactory,
    SessionFactory,
)

pytestmark = pytest.mark.django_db
NOTICE_START = " ".join(PART2_NOTICE.split()[:25])


@pytest.fixture
def history(episode1):
    """Two weeks of attendance and two screens (one cocaine positive) for Ana."""
    today = timezone.localdate()
    for days_ago, status in ((10, "present"), (8, "absent"), (3, "present"), (1, "excused")):
        session = SessionFactory(site=episode1.site, track=episode1.track, date=today - dt.timedelta(days=days_ago))
        minutes = 180 if status == "present" else 0
        AttendanceFactory(session=session, episode=episode1, status=status, minutes_attended=minutes)
    cocaine = AnalyteFactory(code="COC", name="Cocaine")
    thc = AnalyteFactory(code="THC", name="Cannabinoids")
    for days_ago, result in ((9, ScreenResult.Result.NEGATIVE), (2, ScreenResult.Result.POSITIVE)):
        collected = timezone.now() - dt.timedelta(days=days_ago)
        screen = ScreenFactory(episode=episode1, collected_at=collected)
        ScreenResultFactory(screen=screen, analyte=cocaine, result=result)
        ScreenResultFactory(screen=screen, analyte=thc)
    return episode1


def _post(consent, **overrides):
    today = timezone.localdate()
    data = {
        "kind": "attendance",
        "period_start": (today - dt.timedelta(days=14)).isoformat(),
        "period_end": today.isoformat(),
        "categories": ["attendance"],
        "method": "mail",
        "submission_key": str(uuid.uuid4()),
        "issue": "1",
    }
    data.update(overrides)
    return data


def _issue(http, consent, **overrides):
    return http.post(reverse("letters:new", args=[consent.pk]), _post(consent, **overrides))


def test_attendance_letter_releases_attendance_and_nothing_else(as_casemanager, consent1, history):
    response = _issue(as_casemanager, consent1)

    disclosure = Disclosure.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/disclosures/{disclosure.pk}/document.pdf")
    text = pdf_text(bytes(disclosure.document))
    assert NOTICE_START in text
    assert f"consent #{consent1.pk}" in text
    assert "Ana Diaz" in text and "RIC-0001" in text  # the header of each page
    assert "Sessions expected: 4; attended: 2; excused absences: 1; unexcused absences: 1" in text
    for absent in ("Cocaine", "Cannabinoids", "COC", "THC", "Urine drug screens"):
        assert absent not in text, absent
    assert (disclosure.categories, disclosure.recipient) == (
        ["attendance"],
        "Officer Pat Reyes, Richmond Adult Probation",
    )
    assert disclosure.document_intact


def test_progress_letter_with_the_screen_summary_names_no_substance(as_casemanager, consent1, history):
    _issue(as_casemanager, consent1, kind="progress", categories=["attendance", "screen_summary"])

    text = pdf_text(bytes(Disclosure.objects.get().document))
    assert "Screens in this period: 2. Negative (or explained by a prescription): 1; positive: 1" in text
    assert "Cocaine" not in text and "COC" not in text


def test_a_crafted_post_cannot_release_a_category_the_consent_does_not_cover(as_casemanager, consent1, history):
    response = _issue(as_casemanager, consent1, kind="progress", categories=["attendance", "screen_results"])

    assert response.status_code == 200
    assert "not one of the available choices" in " ".join(response.context["form"].errors["categories"])
    assert not Disclosure.objects.exists()


def test_a_revoked_consent_issues_nothing_and_says_why(as_casemanager, consent1, history):
    consent1.revoked_on = timezone.localdate() - dt.timedelta(days=1)
    consent1.save()

    page = as_casemanager.get(reverse("letters:new", args=[consent1.pk]))
    response = _issue(as_casemanager, consent1)

    assert "No letter can be issued under this consent: revoked" in page.content.decode()
    assert response.status_code == 200 and not Disclosure.objects.exists()


def test_preview_shows_the_letter_in_the_page_and_writes_nothing(as_casemanager, consent1, history):
    data = _post(consent1)
    data.pop("issue")
    data["preview"] = "1"
    response = as_casemanager.post(reverse("letters:new", args=[consent1.pk]), data)

    assert response.status_code == 200
    assert "Sessions expected: 4" in response.content.decode()
    assert not Disclosure.objects.exists()


def test_a_repeated_issue_makes_one_disclosure(as_casemanager, consent1, history):
    data = _post(consent1)
    url = reverse("letters:new", args=[consent1.pk])
    first, second = as_casemanager.post(url, data), as_casemanager.post(url, data)

    assert Disclosure.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_the_issued_pdf_download_is_logged_and_never_cached(as_casemanager, consent1, history):
    response = _issue(as_casemanager, consent1)
    download = as_casemanager.get(response["Location"])

    assert download["Content-Type"] == "application/pdf"
    assert download["Cache-Control"] == "no-store, private"
    assert AccessEvent.objects.filter(client=consent1.client, action=AccessEvent.Action.EXPORT).count() == 1


def test_completion_letter_needs_a_decision(as_casemanager, episode1, casemanager, history):
    consent = ConsentFactory(
        client=episode1.client, site=episode1.site, categories=["attendance", "level_of_care"], created_by=casemanager
    )
    response = _issue(as_casemanager, consent, kind="completion", categories=["level_of_care"])

    assert "Choose the decision" in " ".join(response.context["form"].errors["decision"])
    assert not Disclosure.objects.exists()


def test_therapists_cannot_issue_letters(as_therapist, consent1):
    assert _issue(as_therapist, consent1).status_code == 403
    assert not Disclosure.objects.exists()


def test_printed_record_is_logged_as_a_print_and_the_pdf_as_an_export(as_casemanager, history):
    client_id = history.client_id
    page = as_casemanager.get(reverse("letters:print", args=[client_id]))
    pdf = as_casemanager.get(reverse("letters:record_pdf", args=[client_id]))

    assert page.status_code == 200 and "Clinical record: Ana Diaz" in page.content.decode()
    text = pdf_text(pdf.content)
    assert "Clinical record: Ana Diaz" in text and NOTICE_START in text
    actions = set(AccessEvent.objects.filter(client_id=client_id).values_list("action", flat=True))
    assert {AccessEvent.Action.PRINT, AccessEvent.Action.EXPORT} <= actions
    assert Attendance.objects.filter(episode=history).count() == 4


def test_the_sites_letterhead_and_signer_head_the_letter(as_casemanager, consent1, history, settings, tmp_path):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image
    from pypdf import PdfReader

    from letters.models import LetterTemplate

    settings.PRIVATE_MEDIA_ROOT = tmp_path
    png = io.BytesIO()
    Image.new("RGB", (40, 20), "navy").save(png, format="PNG")
    LetterTemplate.objects.create(
        site=consent1.site,
        kind="attendance",
        letterhead_name="Riverside Recovery IOP",
        letterhead_phone="(804) 555-0199",
        logo=SimpleUploadedFile("logo.png", png.getvalue(), content_type="image/png"),
        opening="We confirm that {client} attended our program during {period}.",
        signer_name="Morgan Lee",
        signer_credentials="LCSW",
    )

    _issue(as_casemanager, consent1)

    document = bytes(Disclosure.objects.get().document)
    text = pdf_text(document)
    assert "Riverside Recovery IOP" in text and "(804) 555-0199" in text
    assert "We confirm that Ana Diaz attended our program during" in text
    assert "Morgan Lee, LCSW" in text
    assert len(PdfReader(io.BytesIO(document)).pages[0].images) == 1  # the logo, embedded


def test_printed_record_names_level_changes_and_leaves_out_another_sites_episode(
    as_casemanager, episode1, casemanager, site2
):
    from clients.models import Episode
    from dashboard.services import decision_record
    from tests.factories import EpisodeFactory

    EpisodeFactory(
        client=episode1.client,
        site=site2,
        admitted_on=episode1.admitted_on - dt.timedelta(days=200),
        status=Episode.Status.GRADUATED,
        end_reason=Episode.EndReason.GRADUATED,
        ended_on=episode1.admitted_on - dt.timedelta(days=100),
        ref="NOR-0001-1",
    )
    decision = decision_record(
        episode=episode1,
        kind="step_down",
        rationale="Ready: every criterion met.",
        by=casemanager,
        decided_on=timezone.localdate(),
    )
    text = as_casemanager.get(reverse("letters:print", args=[episode1.client_id])).content.decode()
    assert f"Episode {decision.resulting_episode.ref}" in text
    assert "Stepped down from IOP to OP on" in text
    assert "NOR-0001-1" not in text
