"""The venue page shows the venue's current and past licences (licensing adds them to the register)."""
from tests.factories import make_venue


def test_venue_page_lists_its_licences(app, db, client, login):
    from registry.licences.models import Licence  # noqa: F401  (licensing installed)

    venue = make_venue(name="Karaoke Hoa Sen Licences")
    db.session.commit()
    login("clerk")
    page = client.get(f"/venues/{venue.id}").get_data(as_text=True)
    assert 'data-testid="venue-licences"' in page
