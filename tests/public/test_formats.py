"""The public pages' plain-Python formatting gives exactly what the app's Babel filters give."""
from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from flask_babel import force_locale

from registry.common.formatting import fmt_area, fmt_date, fmt_datetime
from registry.public.formats import Formatter


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_same_output_as_babel(app, lang):
    fast = Formatter(lang)
    with app.test_request_context("/"), force_locale(lang):
        for month in range(1, 13):
            for day in (1, 9, 28):
                d = date(2025, month, day)
                assert fast.date(d) == fmt_date(d)
                moment = datetime(2025, month, day, 17 + month % 7, 5, tzinfo=UTC)  # crosses midnight locally
                assert fast.datetime(moment) == fmt_datetime(moment)
        for area in ("20", "20.00", "24.5", "24.50", "31.25", "0.01", "999.99", "1234.5", "80000", Decimal("35")):
            assert fast.area(area).replace("\u00a0", " ") == fmt_area(Decimal(area)), area
    assert fast.date(None) == fast.datetime(None) == fast.area(None) == ""
