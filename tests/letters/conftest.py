from tests.consents.conftest import consent1  # noqa: F401
