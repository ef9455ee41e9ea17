"""The Consents tab: recording, revoking and printing consents; the accounting of disclosures."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessEvent
from consents.models import Consent, Disclosure
from consents.notice import PART2_NOTICE
from consents.services import disclosure_record
from tests.consents.conftest import pdf_text
from tests.factories import ConsentFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def _new_consent_post(site, **overrides):
    data = {
        "site": site.pk,
        "categories": ["attendance"],
        "recipient_kind": "named",
        "recipient_name": "Jo Park",
        "recipient_organisation": "Acme Plumbing HR",
        "recipient_address": "1 Pipe Rd",
        "purpose": "employment",
        "expires_on": (TODAY() + dt.timedelta(days=90)).isoformat(),
        "signed_on": TODAY().isoformat(),
        "signature_method": "electronic",
        "signed_by_name": "Ana Diaz",
    }
    data.update(overrides)
    return data


def test_tab_lists_each_consent_with_its_state_in_words(as_therapist, episode1, consent1, casemanager):
    ConsentFactory(client=episode1.client, site=episode1.site, revoked_on=TODAY(), created_by=casemanager)
    response = as_therapist.get(reverse("consents:client", args=[episode1.client_id]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Active" in text and "Revoked" in text
    assert "Richmond Adult Probation" in text
    assert "Record a consent" not in text  # therapists view, case managers record
    assert AccessEvent.objects.filter(client=episode1.client, path__contains="/consents/").exists()


def test_case_manager_records_a_consent_with_every_element(as_casemanager, episode1):
    url = reverse("consents:new", args=[episode1.client_id])
    response = as_casemanager.post(url, _new_consent_post(episode1.site))
    assert response.status_code == 302
    consent = Consent.objects.get()
    assert (consent.purpose, consent.categories, consent.signed_by_name) == ("employment", ["attendance"], "Ana Diaz")
    assert consent.state(TODAY()) == "active"


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"expires_on": "", "expiration_event": ""}, "expires_on", "expiry date or an event"),
        ({"purpose": "court_supervision", "court_agency": ""}, "court_agency", "court or supervising agency"),
        ({"signed_by_name": ""}, "signed_by_name", "name as signed"),
        ({"signed_on": (dt.date.today() + dt.timedelta(days=3)).isoformat()}, "signed_on", "future"),
        ({"categories": []}, "categories", "required"),
        ({"categories": ["attendance", "everything"]}, "categories", "not one of the available choices"),
    ],
)
def test_a_consent_missing_an_element_is_refused_with_a_field_error(
    as_casemanager, episode1, overrides, field, message
):
    response = as_casemanager.post(
        reverse("consents:new", args=[episode1.client_id]), _new_consent_post(episode1.site, **overrides)
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not Consent.objects.exists()


def test_therapist_cannot_record_or_revoke(as_therapist, episode1, consent1):
    assert (
        as_therapist.post(
            reverse("consents:new", args=[episode1.client_id]), _new_consent_post(episode1.site)
        ).status_code
        == 403
    )
    assert as_therapist.post(reverse("consents:revoke", args=[consent1.pk]), {"revoked_on": TODAY()}).status_code == 403
    consent1.refresh_from_db()
    assert consent1.revoked_on is None


def test_revocation_stops_every_later_disclosure(as_casemanager, consent1, casemanager):
    response = as_casemanager.post(
        reverse("consents:revoke", args=[consent1.pk]), {"revoked_on": TODAY().isoformat(), "note": "By phone"}
    )
    assert response.status_code == 302
    consent1.refresh_from_db()
    assert (consent1.revoked_on, consent1.revoked_by, consent1.state(TODAY())) == (TODAY(), casemanager, "revoked")
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="revoked this consent"):
        disclosure_record(
            consent=consent1,
            categories=["attendance"],
            period_start=TODAY() - dt.timedelta(days=7),
            period_end=TODAY(),
            description="Attendance verification",
            document=b"%PDF",
            method="mail",
            by=casemanager,
            on=TODAY(),
        )
    assert not Disclosure.objects.exists()


def test_other_site_staff_get_404_on_every_consent_url(site2, episode1, consent1, casemanager):
    from programs.roles import CASE_MANAGER
    from tests.conftest import _login
    from tests.factories import UserFactory

    other = _login(UserFactory(username="casemanager2", role=CASE_MANAGER, sites=[site2]))
    disclosure = disclosure_record(
        consent=consent1,
        categories=["attendance"],
        period_start=TODAY() - dt.timedelta(days=7),
        period_end=TODAY(),
        description="Attendance verification",
        document=b"%PDF-1.7 test",
        method="mail",
        by=casemanager,
        on=TODAY(),
    )
    for url in (
        reverse("consents:client", args=[episode1.client_id]),
        reverse("consents:blank_pdf", args=[episode1.client_id]),
        reverse("consents:accounting", args=[episode1.client_id]),
        reverse("consents:accounting_pdf", args=[episode1.client_id]),
        reverse("consents:scan", args=[consent1.pk]),
        reverse("consents:disclosure_document", args=[disclosure.pk]),
        reverse("letters:new", args=[consent1.pk]),
        reverse("letters:print", args=[episode1.client_id]),
        reverse("letters:record_pdf", args=[episode1.client_id]),
    ):
        assert other.get(url).status_code == 404, url
    assert other.post(reverse("consents:revoke", args=[consent1.pk]), {"revoked_on": TODAY()}).status_code == 404
    assert other.post(reverse("letters:new", args=[consent1.pk]), {"kind": "attendance"}).status_code == 404
    assert not Disclosure.objects.exclude(pk=disclosure.pk).exists()


def test_blank_consent_form_lays_out_every_element_and_the_notice(as_casemanager, episode1):
    response = as_casemanager.get(reverse("consents:blank_pdf", args=[episode1.client_id]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store, private"
    text = pdf_text(response.content)
    for element in (
        "Ana Diaz",
        "RIC-0001",
        "Who may disclose",
        "Information that may be disclosed",
        "Recipient",
        "Purpose of the disclosure",
        "Expiration",
        "right to revoke",
        "Signature",
        "Date",
    ):
        assert element in text, element
    assert " ".join(PART2_NOTICE.split()[:20]) in text
    assert AccessEvent.objects.filter(client=episode1.client, action=AccessEvent.Action.PRINT).exists()


def test_accounting_lists_every_disclosure_of_three_years_and_none_older(as_casemanager, consent1, casemanager):
    def disclose(days_ago):
        d = disclosure_record(
            consent=consent1,
            categories=["attendance"],
            period_start=TODAY() - dt.timedelta(days=60),
            period_end=TODAY() - dt.timedelta(days=30),
            description=f"Letter {days_ago}",
            document=b"%PDF",
            method="fax",
            by=casemanager,
            on=TODAY(),
        )
        Disclosure.objects.filter(pk=d.pk).update(disclosed_at=timezone.now() - dt.timedelta(days=days_ago))

    for days_ago in (0, 400, 365 * 3 - 2, 365 * 3 + 5):
        disclose(days_ago)
    response = as_casemanager.get(reverse("consents:accounting", args=[consent1.client_id]))
    shown = [d.description for d in response.context["disclosures"]]
    assert shown == ["Letter 0", "Letter 400", f"Letter {365 * 3 - 2}"]
    pdf = pdf_text(as_casemanager.get(reverse("consents:accounting_pdf", args=[consent1.client_id])).content)
    assert "Letter 400" in pdf and f"Letter {365 * 3 + 5}" not in pdf


def test_a_scan_is_stored_outside_the_served_paths_and_served_only_in_scope(
    as_casemanager, episode1, settings, tmp_path, site2
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from programs.roles import CASE_MANAGER
    from tests.conftest import _login
    from tests.factories import UserFactory

    settings.PRIVATE_MEDIA_ROOT = tmp_path
    scan = SimpleUploadedFile("signed.pdf", b"%PDF-1.7 signed consent", content_type="application/pdf")
    data = _new_consent_post(episode1.site, signature_method="wet_scan", scan=scan)
    assert as_casemanager.post(reverse("consents:new", args=[episode1.client_id]), data).status_code == 302

    consent = Consent.objects.get()
    stored = tmp_path / consent.scan.name
    assert stored.read_bytes() == b"%PDF-1.7 signed consent"
    assert not str(stored).startswith(str(settings.STATIC_ROOT))
    download = as_casemanager.get(reverse("consents:scan", args=[consent.pk]))
    assert b"".join(download.streaming_content) == b"%PDF-1.7 signed consent"
    assert download["Cache-Control"] == "no-store, private"
    other = _login(UserFactory(username="casemanager2", role=CASE_MANAGER, sites=[site2]))
    assert other.get(reverse("consents:scan", args=[consent.pk])).status_code == 404


def test_a_scan_that_is_not_a_pdf_or_image_is_refused(as_casemanager, episode1, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.PRIVATE_MEDIA_ROOT = tmp_path
    bad = SimpleUploadedFile("notes.html", b"<script>x</script>", content_type="text/html")
    response = as_casemanager.post(
        reverse("consents:new", args=[episode1.client_id]), _new_consent_post(episode1.site, scan=bad)
    )
    assert "Upload a PDF, PNG or JPEG scan." in " ".join(response.context["form"].errors["scan"])
    assert not Consent.objects.exists() and not list(tmp_path.iterdir())


def test_a_repeated_consent_submit_records_one_consent(as_casemanager, episode1):
    import uuid

    data = _new_consent_post(episode1.site, submission_key=str(uuid.uuid4()))
    url = reverse("consents:new", args=[episode1.client_id])
    as_casemanager.post(url, data)
    as_casemanager.post(url, data)
    assert Consent.objects.count() == 1
