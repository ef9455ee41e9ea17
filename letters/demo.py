"""Demo letterheads for both sites and a few past letters under the demo consents."""

import datetime as dt

from django.utils import timezone

from consents.models import Consent, Disclosure
from consents.notice import PART2_NOTICE
from consents.services import disclosure_record
from iop.pdf import pdf_render
from letters.content import letter_content
from letters.models import LetterKind, LetterTemplate

LETTERHEADS = {
    "RIC": ("Richmond Intensive Outpatient Program", "2201 W Broad St, Richmond, VA 23220", "(804) 555-0100"),
    "NOR": ("Norfolk Intensive Outpatient Program", "500 E Main St, Norfolk, VA 23510", "(757) 555-0100"),
}


def seed(ctx):
    for code, (name, address, phone) in LETTERHEADS.items():
        for kind in LetterKind.values:
            LetterTemplate.objects.get_or_create(
                site=ctx.sites[code],
                kind=kind,
                defaults={
                    "letterhead_name": name,
                    "letterhead_address": address,
                    "letterhead_phone": phone,
                    "signer_name": "Morgan Lee",
                    "signer_credentials": "LCSW, Clinical Director",
                },
            )
    active = [c for c in Consent.objects.select_related("client", "site") if c.state(ctx.today) == "active"]
    for weeks_ago, consent in enumerate(active[:2], start=1):
        end = ctx.today - dt.timedelta(weeks=weeks_ago)
        episode = consent.client.episodes.filter(site=consent.site).order_by("-admitted_on").first()
        start = max(episode.admitted_on, end - dt.timedelta(weeks=4))
        categories = sorted(consent.categories)
        template = LetterTemplate.objects.get(site=consent.site, kind=LetterKind.ATTENDANCE)
        context = {
            "consent": consent,
            "client": consent.client,
            "episode": episode,
            "content": letter_content(episode=episode, categories=categories, period_start=start, period_end=end),
            "kind": LetterKind.ATTENDANCE,
            "template": template,
            "opening": "",
            "period": f"{start:%m/%d/%Y} – {end:%m/%d/%Y}",
            "today": end,
            "author": ctx.users["casemanager"],
            "part2_notice": PART2_NOTICE,
        }
        disclosure = disclosure_record(
            consent=consent,
            categories=categories,
            period_start=start,
            period_end=end,
            description=LetterKind.ATTENDANCE.label,
            document=pdf_render("letters/letter_pdf.html", context),
            method=Disclosure.Method.MAIL,
            by=ctx.users["casemanager"],
            on=end,
        )
        moment = timezone.make_aware(dt.datetime.combine(end, dt.time(15, 30)))
        Disclosure.objects.filter(pk=disclosure.pk).update(disclosed_at=moment)
