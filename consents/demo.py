"""Demo consents for a few Richmond clients, in every state the Consents tab shows."""

import datetime as dt

from consents.models import Consent
from consents.services import consent_create, consent_revoke

PROBATION = {
    "categories": ["attendance", "screen_summary"],
    "recipient_name": "Officer Pat Reyes",
    "recipient_organisation": "Richmond Adult Probation and Parole",
    "recipient_address": "900 E Broad St, Richmond, VA 23219",
    "purpose": Consent.Purpose.COURT,
    "court_agency": "Richmond Circuit Court",
    "case_number": "CR26-1187",
    "expiration_event": "the end of probation",
}
EMPLOYER = {
    "categories": ["attendance"],
    "recipient_name": "Jordan Blake, HR manager",
    "recipient_organisation": "James River Logistics",
    "recipient_address": "4100 Deepwater Terminal Rd, Richmond, VA 23234",
    "purpose": Consent.Purpose.EMPLOYMENT,
    "purpose_detail": "Proof of treatment hours for return-to-work",
}


def seed(ctx):
    richmond = [d.episode for d in ctx.active() if d.episode.site.code == "RIC"]
    if len(richmond) < 4:
        return
    by = ctx.users["casemanager"]
    signed = ctx.today - dt.timedelta(weeks=6)
    plans = [  # (episode, fields, revoke)
        (richmond[0], {**PROBATION, "expires_on": ctx.today + dt.timedelta(days=180)}, False),
        (richmond[1], {**EMPLOYER, "expires_on": ctx.today + dt.timedelta(days=90)}, False),
        (richmond[2], {**EMPLOYER, "expires_on": ctx.today - dt.timedelta(days=10)}, False),
        (richmond[3], {**PROBATION, "expires_on": ctx.today + dt.timedelta(days=120)}, True),
    ]
    for episode, fields, revoke in plans:
        consent = consent_create(
            client=episode.client,
            site=episode.site,
            created_by=by,
            signed_on=max(signed, episode.admitted_on),
            signature_method=Consent.SignatureMethod.WET_SCAN,
            signed_by_name=episode.client.full_name,
            **fields,
        )
        if revoke:
            consent_revoke(consent=consent, by=by, on=ctx.today - dt.timedelta(days=3), note="Told her case manager.")
