"""The app starts, serves the sign-in page on ``/`` and reports its health."""


def test_home_shows_sign_in_form(client):
    response = client.get("/", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert b'name="username"' in response.data


def test_healthz_reports_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_sign_in_reaches_home(client, login):
    login("admin")
    response = client.get("/")
    assert response.status_code == 200
    assert b"Sign out" in response.data or "Đăng xuất".encode() in response.data
