"""Writes of consents and disclosures: each checks what §2.31 and the consent allow, in one
transaction; a refusal says why in words and writes nothing."""

import hashlib

from django.core.exceptions import ValidationError
from django.db import transaction

from consents import rules
from consents.models import Consent, Disclosure


@transaction.atomic
def consent_create(*, client, site, created_by, scan=None, **fields):
    consent = Consent(client=client, site=site, created_by=created_by, **fields)
    if scan is not None:
        consent.scan = scan
    consent.full_clean()
    consent.save()
    return consent


@transaction.atomic
def consent_revoke(*, consent, by, on, note=""):
    """Record the client's revocation: no disclosure from ``on`` on."""
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.revoked_on is not None:
        raise ValidationError(f"This consent was already revoked on {consent.revoked_on:%m/%d/%Y}.")
    if consent.entered_in_error:
        raise ValidationError("This consent was entered in error; there is nothing to revoke.")
    consent.revoked_on, consent.revoked_by, consent.revocation_note = on, by, note
    consent.save(update_fields=["revoked_on", "revoked_by", "revocation_note"])
    return consent


@transaction.atomic
def consent_mark_in_error(*, consent, by, reason):
    if not reason.strip():
        raise ValidationError({"reason": "Say what was wrong."})
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.disclosures.exists():
        raise ValidationError("Information was released under this consent: revoke it instead.")
    consent.entered_in_error, consent.error_reason = True, reason
    consent._change_reason = f"entered in error by {by.username}"
    consent.save(update_fields=["entered_in_error", "error_reason"])
    return consent


@transaction.atomic
def disclosure_record(*, consent, categories, period_start, period_end, description, document, method, by, on):
    """Release ``categories`` for the period under ``consent`` on day ``on``: refused with the
    reasons unless the consent is active and covers all of it. Returns the Disclosure."""
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    problems = rules.release_problems(consent.facts, on, categories, period_start, period_end)
    if problems:
        raise ValidationError(problems)
    document = bytes(document)
    return Disclosure.objects.create(
        consent=consent,
        client_id=consent.client_id,
        recipient=consent.recipient_line,
        purpose=consent.purpose,
        categories=sorted(categories),
        period_start=period_start,
        period_end=period_end,
        description=description,
        document=document,
        document_sha256=hashlib.sha256(document).hexdigest(),
        method=method,
        disclosed_by=by,
    )
