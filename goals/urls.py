from django.urls import path

from goals import views

app_name = "goals"

urlpatterns = [
    path("client/<int:pk>/", views.client, name="client"),
    path("episode/<int:episode_pk>/goals/new/", views.goal_add, name="goal_add"),
    path("episode/<int:episode_pk>/worksheet/", views.worksheet, name="worksheet"),
    path("goal/<int:goal_pk>/revise/", views.goal_revise, name="goal_revise"),
    path("goal/<int:goal_pk>/status/", views.goal_status, name="goal_status"),
]
