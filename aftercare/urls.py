from django.urls import path

from aftercare import views

app_name = "aftercare"

urlpatterns = [
    path("client/<int:client_pk>/", views.client_aftercare_tab, name="client"),
    path("episode/<int:episode_pk>/plan/", views.plan_edit, name="plan"),
    path("episode/<int:episode_pk>/plan/print/", views.plan_print, name="plan_print"),
    path("episode/<int:episode_pk>/plan.pdf", views.plan_pdf, name="plan_pdf"),
    path("followups/<int:followup_pk>/", views.followup_log, name="followup"),
    path("due/", views.due, name="due"),
]
