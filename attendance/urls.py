from django.urls import path

from attendance import correction_views, schedule_views, views

app_name = "attendance"

urlpatterns = [
    path("today/", views.today, name="today"),
    path("sessions/new/", views.session_create, name="session_create"),
    path("sessions/<int:pk>/", views.session_detail, name="session"),
    path("sessions/<int:pk>/sign/", views.session_sign, name="session_sign"),
    path("sessions/<int:pk>/cancel/", views.session_cancel, name="session_cancel"),
    path("sessions/<int:pk>/topic/", views.session_topic, name="session_topic"),
    path("sessions/<int:pk>/cosign/", views.session_cosign, name="session_cosign"),
    path("sessions/<int:pk>/addendum/", views.session_addendum, name="session_addendum"),
    path("sessions/<int:pk>/correct/", correction_views.session_correct, name="session_correct"),
    path("client/<int:pk>/", views.client, name="client"),
    path("client/<int:pk>/individual/", views.individual_log, name="individual_log"),
    # Schedules (issue 15)
    path("week/", schedule_views.week, name="week"),
    path("client/<int:pk>/schedule/", schedule_views.schedule_session, name="schedule_session"),
    path("sessions/<int:pk>/reschedule/", schedule_views.session_reschedule, name="session_reschedule"),
]
