"""The public facts of a licence, rendered once per language and stored (``LicencePublicPage``).

A verification scan used to render the whole page: the licence card, the venue, each room. All of that comes from
the licence's frozen snapshot and never changes, so it is rendered once (at issue, else on the first scan that
finds no page or a stale one) and a scan renders only the live status around it. That halves the server's CPU per
scan of the HTML page.

A stored page is stale when its ``template_key`` differs from ``template_key(lang)``: a digest of the facts
template, the language's message catalogue and ``FACTS_VERSION`` (raise it when Python code that shapes the facts
changes, e.g. ``formats.Formatter``).
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from flask import current_app
from flask_babel import force_locale, get_translations
from markupsafe import Markup
from sqlalchemy import bindparam, delete, insert

from registry.common.direct import DirectStatement, Runner
from registry.db import utcnow
from registry.documents.models import LicencePublicPage
from registry.extensions import db
from registry.public import formats

FACTS_TEMPLATE = "public/_licence_facts.html"
FACTS_VERSION = "1"

_DELETE = DirectStatement(delete(LicencePublicPage).where(LicencePublicPage.licence_id == bindparam("licence_id"),
                                                          LicencePublicPage.lang == bindparam("lang")))
_INSERT = DirectStatement(insert(LicencePublicPage.__table__).values(
    licence_id=bindparam("licence_id"), lang=bindparam("lang"), template_key=bindparam("template_key"),
    html=bindparam("html"), rendered_at=bindparam("rendered_at")))


def template_key(lang: str) -> str:
    """What a stored page of ``lang`` must have been rendered with to be current (computed once per process)."""
    keys = current_app.extensions.setdefault("public_facts_keys", {})
    key = keys.get(lang)
    if key is None:
        env = current_app.jinja_env
        source = env.loader.get_source(env, FACTS_TEMPLATE)[0]
        digest = hashlib.sha1(f"{FACTS_VERSION}\0{lang}\0{source}\0".encode(), usedforsecurity=False)
        for folder in current_app.config.get("BABEL_TRANSLATION_DIRECTORIES", "translations").split(";"):
            catalogue = Path(current_app.root_path, folder, lang, "LC_MESSAGES", "messages.mo")
            if catalogue.is_file():
                digest.update(catalogue.read_bytes())
        key = keys[lang] = digest.hexdigest()
    return key


def render_facts(data: dict, lang: str) -> Markup:
    """The facts part of the verification page for ``data`` (``queries.verification``, snapshot included)."""
    with force_locale(lang):
        gettext, ngettext = formats.bound_gettext(get_translations())
        html = current_app.jinja_env.get_template(FACTS_TEMPLATE).render(
            v=data, lang=lang, _=gettext, gettext=gettext, ngettext=ngettext, fmt=formats.Formatter(lang))
    return Markup(html)  # noqa: S704 (an autoescaped template's output)


def store(run: Runner, licence_id: int, lang: str, html: str) -> None:
    """Write (or replace) the stored page of one licence in one language, in the scan's transaction."""
    run.execute(_DELETE, licence_id=licence_id, lang=lang)
    run.execute(_INSERT, licence_id=licence_id, lang=lang, template_key=template_key(lang), html=str(html),
                rendered_at=utcnow())


def store_at_issue(licence) -> None:
    """Render a newly issued licence's facts in every language, so that even its first scan finds them (flushes)."""
    from registry.public import queries

    data = queries.verification_of(licence)
    for lang in current_app.config["LANGUAGES"]:
        db.session.add(LicencePublicPage(licence_id=licence.id, lang=lang, template_key=template_key(lang),
                                           html=str(render_facts(data, lang)), rendered_at=utcnow()))
    db.session.flush()
