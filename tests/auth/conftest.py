"""Fixtures of the account tests."""
import pytest

from tests.auth.helpers import fresh_g_per_request


@pytest.fixture(autouse=True)
def _fresh_g(app):
    disconnect = fresh_g_per_request(app)
    yield
    disconnect()


@pytest.fixture
def admin_client(app, make_user):
    """A test client signed in as a new administrator; the user is ``admin_client.user``."""
    from tests.auth.helpers import sign_in

    user = make_user("admin", full_name="Trần Quốc Quản")
    client = app.test_client()
    assert sign_in(client, user.username).status_code == 302
    client.user = user
    return client
