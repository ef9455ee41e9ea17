from django.urls import path

from attendance import views

app_name = "attendance"

urlpatterns = [
    path("today/", views.today, name="today"),
    path("client/<int:pk>/", views.client, name="client"),
]
