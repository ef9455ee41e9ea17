from django.urls import path

from screening import views

app_name = "screening"

urlpatterns = [
    path("pending/", views.pending, name="pending"),
    path("client/<int:pk>/", views.client, name="client"),
]
