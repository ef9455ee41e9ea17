from django.urls import path

from accounts import views

urlpatterns = [
    path("two-factor/", views.account, name="two_factor"),
    path("two-factor/verify/", views.verify, name="two_factor_verify"),
    path("two-factor/setup/", views.setup, name="two_factor_setup"),
    path("two-factor/recovery-codes/", views.recovery_codes_new, name="two_factor_recovery_codes"),
    path("two-factor/disable/", views.disable, name="two_factor_disable"),
]
