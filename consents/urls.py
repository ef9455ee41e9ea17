from django.urls import path

from consents import views

app_name = "consents"

urlpatterns = [
    path("client/<int:client_pk>/", views.client_consents_tab, name="client"),
    path("client/<int:client_pk>/new/", views.consent_new, name="new"),
    path("client/<int:client_pk>/blank.pdf", views.consent_blank_pdf, name="blank_pdf"),
    path("client/<int:client_pk>/accounting/", views.accounting_view, name="accounting"),
    path("client/<int:client_pk>/accounting.pdf", views.accounting_pdf, name="accounting_pdf"),
    path("<int:pk>/revoke/", views.consent_revoke_view, name="revoke"),
    path("<int:pk>/error/", views.consent_error_view, name="error"),
    path("<int:pk>/scan/", views.consent_scan, name="scan"),
    path("disclosures/<int:pk>/document.pdf", views.disclosure_document, name="disclosure_document"),
]
