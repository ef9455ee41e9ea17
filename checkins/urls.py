from django.urls import path

from checkins import views

app_name = "checkins"

urlpatterns = [
    path("due/", views.due, name="due"),
    path("client/<int:pk>/", views.client, name="client"),
]
