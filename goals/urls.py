from django.urls import path

from goals import views

app_name = "goals"

urlpatterns = [
    path("client/<int:pk>/", views.client, name="client"),
]
