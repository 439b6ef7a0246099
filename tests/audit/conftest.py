from tests.visits.conftest import app_client, field, phone, stack, store  # noqa: F401
