from tests.clients.conftest import intake_data  # noqa: F401  (a valid intake POST)
