from django.urls import path

from clients import views

app_name = "clients"

urlpatterns = [
    path("", views.list, name="list"),
    path("intake/", views.intake, name="intake"),
    path("<int:pk>/", views.detail, name="detail"),
]
