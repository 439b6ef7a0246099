from tests.visits.conftest import app_client, field, stack, store  # noqa: F401
