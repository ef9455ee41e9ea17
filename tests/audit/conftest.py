import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Users are made by the dozen here; argon2 would make each one cost a real login's work.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
