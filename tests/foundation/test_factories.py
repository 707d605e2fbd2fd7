"""The shared factories build records the rest of the suite relies on."""
from tests.factories import make_venue


def test_make_venue_has_six_current_rooms(db):
    venue = make_venue()
    assert len(venue.rooms) == 6
    assert min(r.area_m2 for r in venue.rooms) == 20
    assert "Hải Phòng" in venue.address
