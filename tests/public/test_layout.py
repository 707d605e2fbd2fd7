"""Public pages are their blocks joined into a layout rendered once per process (``registry.public.layout``).

What a visitor relies on: the page is exactly what rendering its template whole would give, in either language,
with the language switch pointing at the same page. What the code relies on: public page templates keep everything
inside their blocks, or block rendering would silently drop it.
"""
from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from jinja2 import nodes

from registry.public import views
from tests.documents import helpers

CHECKED_AT = datetime(2025, 3, 1, 2, 30, tzinfo=UTC)


@pytest.fixture
def pages_by_status(db):
    licences = {"valid": helpers.make_licence(name="Karaoke <Hoa & Sen>")}
    licences["suspended"] = helpers.make_licence()
    helpers.suspend(licences["suspended"])
    licences["revoked"] = helpers.make_licence()
    helpers.revoke(licences["revoked"])
    old = helpers.make_licence()
    helpers.supersede(old)
    licences["superseded"] = old
    db.session.commit()
    return {status: f"/verify/{licence.verify_token}" for status, licence in licences.items()}


def _both_ways(app, client, path: str, headers: dict) -> tuple[str, str]:
    """The page as served (layout rendered once, blocks joined in) and the template rendered whole."""
    app.jinja_env.auto_reload = False
    served = client.get(path, headers=headers)
    app.jinja_env.auto_reload = True  # development: pages are rendered whole
    try:
        whole = client.get(path, headers=headers)
    finally:
        app.jinja_env.auto_reload = False
    assert served.status_code == whole.status_code
    return served.get_data(as_text=True), whole.get_data(as_text=True)


@pytest.mark.parametrize("query", ["", "?lang=en", "?lang=vi", "?ref=poster&lang=en"])
@pytest.mark.parametrize("accept", ["vi", "en"])
def test_verification_pages_are_what_rendering_them_whole_gives(app, client, pages_by_status, monkeypatch, query,
                                                               accept):
    monkeypatch.setattr(views, "utcnow", lambda: CHECKED_AT)
    for status, path in pages_by_status.items():
        served, whole = _both_ways(app, client, path + query, {"Accept-Language": accept})
        assert served == whole, status
        assert f'data-status="{status}"' in served
        if status == "valid":
            assert "Karaoke &lt;Hoa &amp; Sen&gt;" in served


def test_the_language_switch_keeps_the_page_and_its_query(app, client, pages_by_status):
    html = client.get(pages_by_status["valid"] + "?ref=poster&lang=vi").get_data(as_text=True)
    path = pages_by_status["valid"]
    assert f'href="{path}?ref=poster&amp;lang=en"' in html and f'href="{path}?ref=poster&amp;lang=vi"' in html
    assert 'lang="vi"' in html and "<title>Giấy phép còn hiệu lực" in html
    english = client.get(path + "?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in english and "<title>Valid licence" in english
    assert 'href="/register/?lang=en"' in english  # the footer's links keep the page's language


@pytest.mark.parametrize("path", ["/verify/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "/register/",
                                  "/register/?q=karaoke&lang=en", "/register/?q=%3Cscript%3E", "/open-data/",
                                  "/open-data/?lang=en"])
def test_other_public_pages_are_what_rendering_them_whole_gives(app, client, pages_by_status, path):
    served, whole = _both_ways(app, client, path, {"Accept-Language": "vi"})
    assert served == whole


def test_public_page_templates_keep_everything_inside_their_blocks(app):
    """A top-level ``{% set %}`` (or text) outside the blocks would be lost: block rendering never runs it."""
    env = app.jinja_env
    folder = Path(app.root_path).parent / "templates" / "public"
    checked = []
    for template in sorted(folder.glob("*.html")):
        tree = env.parse(template.read_text(encoding="utf-8"))
        if not any(isinstance(node, nodes.Extends) for node in tree.body):
            continue  # the layout itself and the partials
        stray = [type(node).__name__ for node in tree.body if not isinstance(node, nodes.Extends | nodes.Block)
                 and not (isinstance(node, nodes.Output) and all(
                     isinstance(part, nodes.TemplateData) and not part.data.strip() for part in node.nodes))]
        assert stray == [], f"{template.name}: {stray} outside blocks"
        checked.append(template.name)
    assert {"verify.html", "register.html", "not_found.html", "open_data.html"} <= set(checked)
