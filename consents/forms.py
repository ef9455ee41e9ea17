import datetime as dt

from django import forms
from django.utils import timezone

from consents.models import Category, Consent
from iop.forms import DateInput
from programs.models import Site

MAX_SCAN_BYTES = 10 * 1024 * 1024
SCAN_TYPES = {"application/pdf", "image/png", "image/jpeg"}


class ConsentForm(forms.ModelForm):
    """A new consent, with every §2.31 element; signature details may follow once signed."""

    categories = forms.MultipleChoiceField(
        choices=Category.choices, widget=forms.CheckboxSelectMultiple, label="Information it covers"
    )

    class Meta:
        model = Consent
        fields = [
            "site",
            "categories",
            "information_other",
            "recipient_kind",
            "recipient_name",
            "recipient_organisation",
            "recipient_address",
            "purpose",
            "purpose_detail",
            "court_agency",
            "case_number",
            "expires_on",
            "expiration_event",
            "signed_on",
            "signature_method",
            "signed_by_name",
            "signer_is_guardian",
            "scan",
        ]
        widgets = {"expires_on": DateInput(), "signed_on": DateInput()}
        labels = {"site": "Program (who may disclose)", "recipient_name": "Recipient"}

    def __init__(self, *args, client, user, **kwargs):
        super().__init__(*args, **kwargs)
        sites = Site.objects.filter(episodes__client=client).distinct()
        if not user.is_superuser:
            sites = sites.filter(staff=user)
        self.fields["site"].queryset = sites
        self.fields["site"].empty_label = None

    def clean_scan(self):
        scan = self.cleaned_data.get("scan")
        if scan and hasattr(scan, "content_type"):
            if scan.size > MAX_SCAN_BYTES:
                raise forms.ValidationError("The scan is larger than 10 MB.")
            if scan.content_type not in SCAN_TYPES:
                raise forms.ValidationError("Upload a PDF, PNG or JPEG scan.")
        return scan

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        if not data.get("expires_on") and not (data.get("expiration_event") or "").strip():
            self.add_error("expires_on", "Give an expiry date or an event that ends the consent.")
        expires = data.get("expires_on")
        if expires and expires < today - dt.timedelta(days=366 * 5):
            self.add_error("expires_on", "That date is more than five years ago.")
        signed = data.get("signed_on")
        if signed:
            if signed > today:
                self.add_error("signed_on", "A consent cannot be signed in the future.")
            if not (data.get("signed_by_name") or "").strip():
                self.add_error("signed_by_name", "Type the name as signed.")
            if not data.get("signature_method"):
                self.add_error("signature_method", "Say how it was signed.")
            if expires and expires < signed:
                self.add_error("expires_on", "The consent would expire before it was signed.")
        if data.get("purpose") == Consent.Purpose.COURT and not (data.get("court_agency") or "").strip():
            self.add_error("court_agency", "Name the court or supervising agency.")
        if data.get("recipient_kind") == Consent.RecipientKind.NAMED and not (data.get("recipient_address") or ""):
            self.add_error("recipient_address", "Give the recipient's address (where the letter goes).")
        return data


class RevokeForm(forms.Form):
    revoked_on = forms.DateField(widget=DateInput(), label="Revoked on")
    note = forms.CharField(max_length=300, required=False, label="How the client revoked it")

    def clean_revoked_on(self):
        day = self.cleaned_data["revoked_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("A revocation cannot be dated in the future.")
        return day


class ErrorForm(forms.Form):
    reason = forms.CharField(max_length=300, label="What was wrong")
