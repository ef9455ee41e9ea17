"""Reads of consents and disclosures for one client (a fixed few queries)."""

from django.utils import timezone

from consents import rules
from consents.models import Consent, Disclosure


def client_consents(user, client):
    consents = list(
        Consent.objects.for_user(user).filter(client=client).select_related("site", "created_by", "revoked_by")
    )
    today = timezone.localdate()
    for consent in consents:
        consent.state_now = consent.state(today)
        consent.state_now_label = rules.STATE_LABELS[consent.state_now]
    return consents


def accounting(user, client, on):
    """Every disclosure of ``client`` in the 3 years up to ``on`` (§2.25), newest first."""
    since = rules.accounting_since(on)
    return since, list(
        Disclosure.objects.for_user(user)
        .filter(client=client, disclosed_at__date__gte=since, disclosed_at__date__lte=on)
        .select_related("consent", "disclosed_by")
        .defer("document")
    )
