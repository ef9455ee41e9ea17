import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessEvent
from clients.models import Episode
from clients.records import client_record_open, record_context
from consents.models import Consent
from consents.notice import PART2_NOTICE
from consents.services import disclosure_record
from iop.forms import add_service_errors
from iop.pdf import data_uri, pdf_render, pdf_response
from iop.permissions import perms_require
from iop.submissions import submission_replay, submit_once
from letters.content import letter_content
from letters.forms import LetterForm
from letters.models import LetterKind, LetterTemplate
from letters.record import record_print_context


def _letter_context(*, consent, episode, form_data, user):
    template = LetterTemplate.objects.filter(site=consent.site, kind=form_data["kind"]).first()
    content = letter_content(
        episode=episode,
        categories=form_data["categories"],
        period_start=form_data["period_start"],
        period_end=form_data["period_end"],
    )
    period = f"{form_data['period_start']:%m/%d/%Y} – {form_data['period_end']:%m/%d/%Y}"
    opening = _fill(template.opening, client=consent.client.full_name, period=period) if template else ""
    return {
        "consent": consent,
        "client": consent.client,
        "episode": episode,
        "content": content,
        "kind": LetterKind(form_data["kind"]),
        "decision": form_data.get("decision"),
        "template": template,
        "opening": opening,
        "period": period,
        "today": timezone.localdate(),
        "author": user,
        "part2_notice": PART2_NOTICE,
        "logo": data_uri(template.logo) if template else "",
    }


def letter_new(request, consent_pk):
    """Choose what to release → preview in the page → "Issue letter" writes the Disclosure
    and downloads the PDF. The consent decides what can be offered and what can be issued."""
    perms_require(request.user, "consents.add_disclosure")
    consent = get_object_or_404(Consent.objects.for_user(request.user).select_related("client", "site"), pk=consent_pk)
    client = client_record_open(request, consent.client_id)
    episodes = Episode.objects.filter(client=client, site=consent.site).order_by("-admitted_on")
    today = timezone.localdate()
    state = consent.state(today)
    replay = submission_replay(request)
    if replay is not None:
        return replay
    # The last four weeks of the current stay at the consent's site: what a weekly or monthly
    # court report usually covers (changed in the form).
    latest = episodes.first()
    start = max(latest.admitted_on, today - dt.timedelta(days=28)) if latest else today - dt.timedelta(days=28)
    initial = {"period_start": start, "period_end": today, "kind": LetterKind.ATTENDANCE}
    form = LetterForm(request.POST or None, initial=initial, consent=consent, episodes=episodes)
    preview = None
    if request.method == "POST" and state == "active" and form.is_valid():
        data = form.cleaned_data
        episode = next((e for e in episodes if e.admitted_on <= data["period_end"]), None)
        if episode is None:
            form.add_error("period_end", "The client had no episode at this site in that period.")
        else:
            letter = _letter_context(consent=consent, episode=episode, form_data=data, user=request.user)
            if "issue" not in request.POST:
                preview = letter
            else:

                def issue():
                    disclosure = disclosure_record(
                        consent=consent,
                        categories=data["categories"],
                        period_start=data["period_start"],
                        period_end=data["period_end"],
                        description=LetterKind(data["kind"]).label,
                        document=pdf_render("letters/letter_pdf.html", letter, request),
                        method=data["method"],
                        by=request.user,
                        on=today,
                    )
                    messages.success(request, f"Letter issued and recorded as disclosure #{disclosure.pk}.")
                    return reverse("consents:disclosure_document", args=[disclosure.pk])

                try:
                    return submit_once(request, issue)
                except ValidationError as error:
                    add_service_errors(error, form)
    context = record_context(client, "consents", user=request.user)
    context.update(consent=consent, form=form, preview=preview, state=state, state_label=consent.state_label(today))
    return render(request, "letters/new.html", context)


def record_print(request, client_pk):
    """The client's whole record for the chart or a transfer of care; printing it is logged."""
    client = client_record_open(request, client_pk, action=AccessEvent.Action.PRINT)
    context = record_context(client, "profile", user=request.user)
    context.update(record_print_context(client, request.user), part2_notice=PART2_NOTICE)
    return render(request, "letters/record_print.html", context)


def record_pdf(request, client_pk):
    client = client_record_open(request, client_pk, action=AccessEvent.Action.EXPORT)
    context = record_context(client, "profile", user=request.user)
    context.update(record_print_context(client, request.user), part2_notice=PART2_NOTICE)
    return pdf_response(pdf_render("letters/record_pdf.html", context, request), f"record-{client.mrn}.pdf")


def _fill(text, **values):
    """A template's paragraph with {client} and {period} replaced (other braces left alone)."""
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text
