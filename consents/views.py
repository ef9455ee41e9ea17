from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from audit.models import AccessEvent
from audit.services import access_event_record
from clients.records import client_record_open, record_context
from consents.forms import ConsentForm, ErrorForm, RevokeForm
from consents.models import Category, Consent, Disclosure
from consents.notice import PART2_NOTICE
from consents.queries import accounting, client_consents
from consents.services import consent_create, consent_mark_in_error, consent_revoke
from iop.forms import add_service_errors
from iop.pdf import pdf_render, pdf_response
from iop.permissions import perms_require
from iop.submissions import submission_replay, submit_once


def _consent(request, pk):
    return get_object_or_404(Consent.objects.for_user(request.user).select_related("client", "site"), pk=pk)


def client_consents_tab(request, client_pk):
    client = client_record_open(request, client_pk)
    context = record_context(client, "consents", user=request.user)
    context.update(
        consents=client_consents(request.user, client),
        can_manage=request.user.has_perm("consents.add_consent"),
        revoke_form=RevokeForm(initial={"revoked_on": timezone.localdate()}),
    )
    return render(request, "consents/client.html", context)


def consent_new(request, client_pk):
    perms_require(request.user, "consents.add_consent")
    client = client_record_open(request, client_pk)
    replay = submission_replay(request)
    if replay is not None:
        return replay
    form = ConsentForm(request.POST or None, request.FILES or None, client=client, user=request.user)
    if request.method == "POST" and form.is_valid():

        def save():
            consent_create(client=client, created_by=request.user, **form.cleaned_data)
            messages.success(request, "Consent recorded.")
            return reverse("consents:client", args=[client.pk])

        try:
            return submit_once(request, save)
        except ValidationError as error:
            add_service_errors(error, form)
    context = record_context(client, "consents", user=request.user)
    context["form"] = form
    return render(request, "consents/new.html", context)


@require_POST
def consent_revoke_view(request, pk):
    perms_require(request.user, "consents.change_consent")
    consent = _consent(request, pk)
    client_record_open(request, consent.client_id)
    form = RevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Not revoked: " + " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("consents:client", consent.client_id)
    try:
        consent_revoke(
            consent=consent, by=request.user, on=form.cleaned_data["revoked_on"], note=form.cleaned_data["note"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Consent revoked: nothing more can be released under it.")
    return redirect("consents:client", consent.client_id)


@require_POST
def consent_error_view(request, pk):
    perms_require(request.user, "consents.change_consent")
    consent = _consent(request, pk)
    client_record_open(request, consent.client_id)
    form = ErrorForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("Say what was wrong.")
        consent_mark_in_error(consent=consent, by=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Consent marked as entered in error.")
    return redirect("consents:client", consent.client_id)


def consent_scan(request, pk):
    consent = _consent(request, pk)
    if not consent.scan:
        raise Http404
    client_record_open(request, consent.client_id, action=AccessEvent.Action.EXPORT)
    response = FileResponse(consent.scan.open("rb"), as_attachment=True, filename=consent.scan.name.rsplit("/", 1)[-1])
    response["Cache-Control"] = "no-store, private"
    return response


def consent_blank_pdf(request, client_pk):
    """A consent form to sign on paper: every §2.31 element, with the client and program filled in."""
    client = client_record_open(request, client_pk, action=AccessEvent.Action.PRINT)
    context = record_context(client, "consents", user=request.user)
    context.update(category_labels=Category.labels, purposes=Consent.Purpose.labels, part2_notice=PART2_NOTICE)
    pdf = pdf_render("consents/blank_consent_pdf.html", context, request)
    return pdf_response(pdf, f"consent-form-{client.mrn}.pdf")


def accounting_view(request, client_pk):
    client = client_record_open(request, client_pk)
    today = timezone.localdate()
    since, disclosures = accounting(request.user, client, today)
    context = record_context(client, "consents", user=request.user)
    context.update(since=since, today=today, disclosures=disclosures)
    return render(request, "consents/accounting.html", context)


def accounting_pdf(request, client_pk):
    client = client_record_open(request, client_pk, action=AccessEvent.Action.EXPORT)
    today = timezone.localdate()
    since, disclosures = accounting(request.user, client, today)
    context = {"client": client, "since": since, "today": today, "disclosures": disclosures}
    pdf = pdf_render("consents/accounting_pdf.html", context, request)
    return pdf_response(pdf, f"accounting-of-disclosures-{client.mrn}.pdf")


def disclosure_document(request, pk):
    """The document exactly as it was released (its SHA-256 checked before it is served)."""
    disclosure = get_object_or_404(Disclosure.objects.for_user(request.user), pk=pk)
    access_event_record(request=request, client=disclosure.client, action=AccessEvent.Action.EXPORT)
    if not disclosure.document_intact:
        messages.error(request, "This document no longer matches its SHA-256: it was altered after it was issued.")
        return redirect("consents:accounting", disclosure.client_id)
    return pdf_response(bytes(disclosure.document), f"disclosure-{disclosure.pk}.pdf")
