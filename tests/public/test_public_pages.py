"""The public facts of a licence are rendered once per language and stored; a scan renders only the live status.

What a visitor relies on: the page always shows the licence's facts as issued and its status as it is now. What the
code relies on: a scan serves the stored facts, renders them once when there are none or they are stale, and keeps
each language apart.
"""
from __future__ import annotations

from sqlalchemy import select, update

from registry.documents.models import LicencePublicPage
from registry.extensions import db
from registry.public import pages
from tests.documents import helpers
from tests.licences.conftest import issue, karaoke_venue
from tests.public.test_verify import status_of


def _pages(licence_id: int) -> dict[str, LicencePublicPage]:
    db.session.expire_all()
    rows = db.session.execute(select(LicencePublicPage).where(LicencePublicPage.licence_id == licence_id)).scalars()
    return {page.lang: page for page in rows}


def test_issuing_a_licence_renders_its_public_page_in_every_language(app, make_user):
    licence = issue(karaoke_venue(name="Karaoke Sông Cấm"), make_user("clerk"), make_user("manager"))
    db.session.commit()
    stored = _pages(licence.id)
    assert set(stored) == set(app.config["LANGUAGES"]) == {"vi", "en"}
    for lang, page in stored.items():
        assert page.template_key == pages.template_key(lang)
        assert "Karaoke Sông Cấm" in page.html and licence.number_display in page.html
    assert "Venue" in stored["en"].html and "Cơ sở" in stored["vi"].html


def test_a_scan_serves_the_stored_page_and_writes_nothing_more(app, client, make_user):
    licence = issue(karaoke_venue(name="Karaoke Sông Cấm"), make_user("clerk"), make_user("manager"))
    db.session.commit()
    rendered_at = {lang: page.rendered_at for lang, page in _pages(licence.id).items()}
    # mark the stored English page: the scan must show exactly what is stored, not a fresh rendering
    db.session.execute(update(LicencePublicPage).where(LicencePublicPage.licence_id == licence.id,
                                                       LicencePublicPage.lang == "en")
                       .values(html=LicencePublicPage.html + '<p data-testid="stored-marker">stored</p>'))
    db.session.commit()
    html = client.get(f"/verify/{licence.verify_token}?lang=en").get_data(as_text=True)
    assert 'data-testid="stored-marker"' in html and "Karaoke Sông Cấm" in html
    assert {lang: page.rendered_at for lang, page in _pages(licence.id).items()} == rendered_at


def test_a_licence_without_a_page_gets_one_on_its_first_scan_per_language(db, client, licence):
    assert _pages(licence.id) == {}
    first = client.get(f"/verify/{licence.verify_token}?lang=en").get_data(as_text=True)
    stored = _pages(licence.id)
    assert set(stored) == {"en"}
    assert stored["en"].html in first
    client.get(f"/verify/{licence.verify_token}?lang=vi")
    stored_again = _pages(licence.id)
    assert set(stored_again) == {"en", "vi"}
    assert stored_again["en"].rendered_at == stored["en"].rendered_at  # not rendered twice
    assert "Cơ sở" in stored_again["vi"].html and "Venue" in stored_again["en"].html


def test_a_stale_page_is_rendered_again(db, client, licence):
    client.get(f"/verify/{licence.verify_token}?lang=en")
    db.session.execute(update(LicencePublicPage).values(template_key="an older template",
                                                        html='<p data-testid="stale">old</p>'))
    db.session.commit()
    html = client.get(f"/verify/{licence.verify_token}?lang=en").get_data(as_text=True)
    assert 'data-testid="stale"' not in html and 'data-testid="venue-name"' in html
    assert _pages(licence.id)["en"].template_key == pages.template_key("en")


def test_the_status_stays_live_around_a_stored_page(db, client, licence):
    assert status_of(client.get(f"/verify/{licence.verify_token}")) == "valid"
    helpers.suspend(licence)
    db.session.commit()
    response = client.get(f"/verify/{licence.verify_token}")
    assert status_of(response) == "suspended"
    assert 'data-testid="venue-name"' in response.get_data(as_text=True)
    assert len(_pages(licence.id)) == 1  # the same stored page, still current


def test_the_json_carries_no_rendered_html(db, client, licence):
    client.get(f"/verify/{licence.verify_token}")
    data = client.get(f"/verify/{licence.verify_token}.json").get_json()
    assert "facts_html" not in data and data["venue"]["name"]
