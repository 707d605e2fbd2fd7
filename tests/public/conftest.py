"""Fixtures of the public-site tests (licences built directly, as in tests/documents)."""
from __future__ import annotations

import pytest

from tests.documents import helpers
from tests.documents.conftest import pdf_tools  # noqa: F401  (shared fixture)


@pytest.fixture
def make_licence(db):
    return helpers.make_licence


@pytest.fixture
def licence(db):
    lic = helpers.make_licence()
    db.session.commit()
    return lic
