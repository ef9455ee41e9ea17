from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Sign-in"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from accounts.twofactor import remember_requirement_at_login
        from iop.middleware import start_idle_clock

        user_logged_in.connect(remember_requirement_at_login, dispatch_uid="accounts.two_factor_at_login")
        user_logged_in.connect(start_idle_clock, dispatch_uid="accounts.idle_clock_at_login")
