from django.urls import path

from checkins import views

app_name = "checkins"

urlpatterns = [
    path("due/", views.due, name="due"),
    path("client/<int:pk>/", views.client, name="client"),
    path("episode/<int:episode_pk>/open/", views.open_week, name="open"),
    path("episode/<int:episode_pk>/week/<str:week>/", views.week, name="week"),
    path("<int:pk>/cosign/", views.cosign, name="cosign"),
    path("<int:pk>/addendum/", views.addendum, name="addendum"),
]
