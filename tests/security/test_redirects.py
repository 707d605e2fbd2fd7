"""The ``next`` parameter of the sign-in form only ever leads to a page of this site."""
from __future__ import annotations

import pytest

from tests.auth.helpers import sign_in

HOSTILE = ["https://evil.example", "//evil.example", "javascript:alert(1)", "/\\evil.example", "\\\\evil.example",
           "http:evil.example", " //evil.example", "/\t/evil.example", "https:/evil.example", "\x00/evil"]


@pytest.mark.parametrize("target", HOSTILE)
def test_hostile_next_is_ignored_after_sign_in(app, make_user, target):
    user = make_user("clerk")
    client = app.test_client()
    page = client.get("/auth/login", query_string={"next": target}).get_data(as_text=True)
    assert 'id="next" name="next" type="hidden" value=""' in page  # not even carried in the sign-in form
    response = sign_in(client, user.username, next=target)
    assert response.status_code == 302
    assert response.location == "/"


def test_a_page_of_this_site_is_followed(app, make_user):
    user = make_user("clerk")
    client = app.test_client()
    first = client.get("/auth/password")
    assert first.status_code == 302 and first.location == "/auth/login?next=%2Fauth%2Fpassword"
    form = client.get(first.location).get_data(as_text=True)
    assert 'name="next" type="hidden" value="/auth/password"' in form
    response = sign_in(client, user.username, next="/auth/password")
    assert response.location == "/auth/password"


@pytest.mark.parametrize("target", HOSTILE)
def test_the_language_switch_does_not_redirect_away_either(client, target):
    response = client.post("/language", data={"lang": "vi", "next": target})
    assert response.status_code == 302 and response.location == "/"
