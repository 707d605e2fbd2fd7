"""Fixtures of the security tests."""
import pytest

from tests.auth.helpers import fresh_g_per_request
from tests.conftest import PASSWORD


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


@pytest.fixture
def make_user_in():
    """Create a user in the database of the given (already pushed) app."""

    def make(app, role, password=PASSWORD):
        from registry.auth import services
        from registry.extensions import db

        user = services.create_user(username=f"prod-{role}", full_name=f"Prod {role}", role=role,
                                    password=password)
        db.session.commit()
        return user

    return make
