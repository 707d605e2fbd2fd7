"""Vietnamese and English are complete: every extracted message is translated, placeholders intact."""
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2] / "registry" / "translations"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]")


def _catalog(lang):
    with (ROOT / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=lang)


def _template_ids():
    with (ROOT / "messages.pot").open("rb") as f:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}


def test_vietnamese_catalogue_is_complete_and_placeholders_match():
    catalog = _catalog("vi")
    problems = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings) or message.fuzzy:
            problems.append(f"untranslated or fuzzy: {ids[0]!r}")
            continue
        source = ids[-1]  # Vietnamese has one plural form: it follows the plural msgid
        if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(strings[0])):
            problems.append(f"placeholders differ: {ids[0]!r}")
    assert not problems, "\n".join(problems[:30])
    assert _template_ids() <= {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}


def test_english_catalogue_is_complete():
    catalog = _catalog("en")
    missing = [m.id for m in catalog if m.id and not (m.string if isinstance(m.string, str) else all(m.string))]
    assert not missing, missing[:20]


def test_pages_render_in_both_languages(client, login):
    login("manager")
    vi = client.get("/venues/", headers={"Accept-Language": "vi"}).get_data(as_text=True)
    en = client.get("/venues/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="vi">' in vi and "Đăng xuất" in vi
    assert '<html lang="en">' in en and "Sign out" in en


@pytest.mark.parametrize(("header", "lang"), [
    ("vi-VN,vi;q=0.9,en;q=0.8", "vi"), ("en-GB,en;q=0.9", "en"), ("fr-FR, en;q=0.8, vi;q=0.5", "en"),
    ("fr-FR, vi;q=0.8, en;q=0.5", "vi"), ("de", None), ("", None)])
def test_a_visitor_without_a_choice_gets_the_best_language_their_browser_accepts(app, client, header, lang):
    """Each distinct Accept-Language is matched once per process: the same header twice, or another in between,
    must still get its own answer. None: the configured default."""
    lang = lang or app.config["BABEL_DEFAULT_LOCALE"]
    for _ in range(2):
        html = client.get("/register/", headers={"Accept-Language": header}).get_data(as_text=True)
        assert f'<html lang="{lang}">' in html
        client.get("/register/", headers={"Accept-Language": "en" if lang == "vi" else "vi"})
