from django.urls import path

from letters import views

app_name = "letters"

urlpatterns = [
    path("consent/<int:consent_pk>/new/", views.letter_new, name="new"),
    path("client/<int:client_pk>/print/", views.record_print, name="print"),
    path("client/<int:client_pk>/record.pdf", views.record_pdf, name="record_pdf"),
]
