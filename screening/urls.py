from django.urls import path

from screening import views

app_name = "screening"

urlpatterns = [
    path("pending/", views.pending, name="pending"),
    path("client/<int:pk>/", views.client, name="client"),
    path("client/<int:pk>/record/", views.record, name="record"),
    path("client/<int:pk>/prescriptions/add/", views.prescription_add, name="prescription_add"),
    path("prescriptions/<int:rx_pk>/end/", views.prescription_end, name="prescription_end"),
    path("prescriptions/<int:rx_pk>/error/", views.prescription_error, name="prescription_error"),
    path("screens/<int:screen_pk>/error/", views.screen_error, name="screen_error"),
    path("results/<int:result_pk>/send/", views.result_send, name="result_send"),
    path("results/<int:result_pk>/confirm/", views.result_confirm, name="result_confirm"),
]
