"""The public site (no sign-in): licence verification by QR code, the public register, open data.

Pages use their own lean layout (``templates/public/base.html``): no session cookie, no navigation for staff, a
language switch by link (``?lang=vi|en``) so a scanned page can be shared in either language.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote, urlencode, urlsplit

from flask import Blueprint, Response, abort, current_app, g, request, stream_with_context, url_for
from flask_babel import force_locale, get_translations
from markupsafe import Markup
from sqlalchemy import Connection

from registry.common.direct import direct_transaction
from registry.common.exports import csv_rows as csv_stream
from registry.common.permissions import public
from registry.common.ratelimit import lean_limit
from registry.common.text import parse_id
from registry.db import utcnow
from registry.extensions import db, limiter
from registry.i18n import current_language
from registry.public import formats, layout, opendata, pages, queries

bp = Blueprint("public", __name__)

DEFAULT_LIMITS = {"VERIFY_RATE_LIMIT": "120 per minute", "REGISTER_RATE_LIMIT": "120 per minute",
                  "OPEN_DATA_RATE_LIMIT": "30 per minute"}


def _limit(name: str):
    def limit() -> str:
        return current_app.config.get(name) or DEFAULT_LIMITS[name]

    return limit


def _page_language() -> tuple[str, str | None]:
    """The language of this public page and the ``?lang=`` that asked for it, if one did (else the visitor's
    usual language, and ``None``)."""
    lang = request.args.get("lang")
    if lang in current_app.config["LANGUAGES"]:
        return lang, lang
    return current_language(), None


def _render(template: str, language: tuple[str, str | None] | None = None, **context) -> str:
    """Render in the language asked for by ``?lang=`` (else the visitor's usual language); ``language``: what
    ``_page_language()`` returned, when the view already asked."""
    lang, lang_arg = language or _page_language()
    if lang_arg:
        with force_locale(lang):
            return _render_in(template, lang, lang_arg=lang_arg, **context)
    return _render_in(template, lang, lang_arg=None, **context)


def _render_in(template: str, lang: str, **context) -> str:
    """Render a public page with an explicit context and per-request helpers that keep the hot public pages cheap.

    Public pages show nobody's account, so they skip Flask's context processors (which would load the signed-in
    user and open the session for every scan); they get ``request`` and nothing else implicitly. Also: gettext
    bound to this request's catalogue once (instead of a catalogue look-up per string), the static asset URLs
    computed once per process, plain-Python date and area formatting (same output as the Babel filters), and the
    layout rendered once per process (``registry.public.layout``).
    """
    gettext, ngettext = formats.bound_gettext(get_translations())
    no_echo = context.pop("no_echo", False)
    context.update(request=request, _=gettext, gettext=gettext, ngettext=ngettext, assets=_assets(),
                   fmt=formats.Formatter(lang), lang=lang, links=_links(context["lang_arg"], no_echo),
                   public_url=public_url)
    return layout.render_page(template, context)


def _links(lang_arg: str | None, no_echo: bool) -> dict:
    """The header and footer links of a public page, keeping its ``?lang=`` (computed once per process); the
    language switch points at the same page (or at the register, on a page that must not echo its address)."""
    cache = current_app.extensions.setdefault("public_links", {})
    fixed = cache.get(lang_arg)
    if fixed is None:
        keep = {"lang": lang_arg} if lang_arg else {}
        fixed = cache[lang_arg] = {"register": url_for("public.register", **keep),
                                   "open_data": url_for("public.open_data", **keep),
                                   "home": url_for("main.home", **keep)}
    languages = current_app.config["LANGUAGES"]
    if no_echo:
        switch = {code: url_for("public.register", lang=code) for code in languages}
    else:
        switch = _switch_links(languages)
    return fixed | {"lang": switch}


def _switch_links(languages) -> dict[str, str]:
    """The current page in each language (same path and query string, ``lang`` replaced)."""
    path = quote(request.path)
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    if not args:
        return {code: f"{path}?lang={code}" for code in languages}
    return {code: f"{path}?{urlencode([*args, ('lang', code)])}" for code in languages}


def _assets() -> dict:
    cache = current_app.extensions.setdefault("public_assets", {})
    if not cache:
        cache.update(bootstrap_css=url_for("bootstrap.static", filename="css/bootstrap.min.css"),
                     icons_css=url_for("bootstrap.static", filename="css/font/bootstrap-icons.min.css"),
                     public_css=url_for("static", filename="css/public.css"))
    return cache


def _public_host() -> str:
    return urlsplit(current_app.config["PUBLIC_BASE_URL"]).netloc or request.host


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Referrer-Policy"] = "no-referrer"  # the token stays out of other sites' logs
    return response


def _looked_up(token: str, channel: str, lang: str | None = None) -> dict:
    """The verification data of ``token`` with the scan logged (404 for an unknown token, no hints).

    The look-up and the scan log run on one DBAPI connection (``registry.common.direct``: nothing here is an
    entity), committed before the page is rendered; on SQLite the write lock is taken after the look-up, for the
    writes alone (``Runner.begin_write``). ``lang``: the HTML page's language; its stored public facts come with
    the data (``facts_html``), rendered and stored here first if the licence has none yet in that language or they
    are stale (``registry.public.pages``).
    """
    salt = queries.cached_salt()
    if salt is None:  # the first scan of the day in this process
        with _scan_transaction() as conn:
            salt = queries.daily_salt(conn=conn)
    page_key = (lang, pages.template_key(lang)) if lang else None
    session = db.session() if db.session.registry.has() else None
    with direct_transaction(db.engine, session, write=False) as run:
        data = queries.verification(token, run, page_key=page_key)
        if data is not None:
            missing_page = lang and data["facts_html"] is None
            if missing_page:
                data["facts_html"] = pages.render_facts(data, lang)
            scanned = request.method == "GET"
            if scanned or missing_page:
                run.begin_write()
            if scanned:
                queries.log_scan(run, data["licence_id"], request.remote_addr, channel, salt)
            if missing_page:
                pages.store(run, data["licence_id"], lang, data["facts_html"])
    if data is None:
        _not_found(channel)
    return data


@contextmanager
def _scan_transaction() -> Iterator[Connection]:
    """A Core connection in its own transaction, committed on exit; or, when this application context already
    has a unit of work open (a test or a command calling the view), that one's connection, committed likewise."""
    g.write_transaction = True  # SQLite begins with BEGIN IMMEDIATE
    if db.session.registry.has() and db.session().in_transaction():
        yield db.session.connection()
        db.session.commit()
        return
    with db.engine.begin() as conn:
        yield conn


def _not_found(channel: str) -> None:
    """A plain 404 that says nothing about why (unknown, malformed) and does not echo the token."""
    if channel == "json":
        response = Response(json.dumps({"status": 404, "error": "not found"}), status=404,
                            mimetype="application/json")
    else:
        response = Response(_render("public/not_found.html", no_echo=True), status=404, mimetype="text/html")
    abort(_no_store(response))


@bp.get("/verify/<token>")
@public
@lean_limit(_limit("VERIFY_RATE_LIMIT"), scope="verify")
def verify(token: str):
    """What a QR code on a printed licence opens: the live status of the licence, the venue and what it may do."""
    language = _page_language()
    data = _looked_up(token, "html", lang=language[0])
    html = _render("public/verify.html", language, v=data, tone=queries.STATUS_TONE[data["status"]],
                   checked_at=utcnow(), public_host=_public_host(), token=token, status_words=_status_words,
                   facts=Markup(data["facts_html"]))  # noqa: S704 (rendered by an autoescaped template)
    return _no_store(Response(html, mimetype="text/html"))


STATUS_ICONS = {"valid": "bi-patch-check-fill", "warning": "bi-exclamation-triangle-fill",
                "danger": "bi-x-octagon-fill"}


def _status_words(v: dict, fmt: formats.Formatter, _) -> dict:
    """The banner of the verification page: its title (also the page title), one sentence of detail, its icon.

    ``_``: the page's bound ``gettext`` (``formats.bound_gettext``), cheaper than Flask-Babel's per call.
    """
    status = v["status"]
    d = fmt.date
    if status == "valid":
        title = _("Valid licence")
        detail = (_("Valid until %(date)s.", date=d(v["expires_on"])) if v["expires_on"]
                  else _("In force; this licence has no expiry date."))
    elif status == "suspended":
        title = _("Suspended")
        suspension = v["suspension"]
        if suspension and suspension["until"]:
            detail = _("Business suspended from %(start)s to %(end)s.", start=d(suspension["from"]),
                       end=d(suspension["until"]))
        elif suspension:
            detail = _("Business suspended from %(start)s until further notice.", start=d(suspension["from"]))
        else:
            detail = _("Business is suspended.")
        if suspension and suspension["by_other_agency"]:
            body = suspension["issuing_body"] or _("another authority")
            detail = detail + " " + _("Suspended by %(body)s.", body=body)
    elif status == "revoked":
        title = _("Revoked")
        revocation = v["revocation"]
        detail = (_("Revoked on %(date)s. The venue may not operate under this licence.", date=d(revocation["on"]))
                  if revocation and revocation["on"] else _("The venue may not operate under this licence."))
    elif status == "expired":
        title = _("Expired")
        detail = _("Expired on %(date)s.", date=d(v["expires_on"] or v["status_since"]))
    elif status == "ceased":
        title = _("No longer in force: business ceased")
        detail = (_("The business stopped on %(date)s.", date=d(v["status_since"])) if v["status_since"] else "")
    else:  # superseded
        title = _("Replaced by a newer licence")
        successor = v["successor"]
        detail = (_("Licence %(number)s, issued on %(date)s, replaced it.", number=successor["licence_number"],
                    date=d(successor["issued_on"])) if successor else "")
    return {"title": title, "detail": detail, "icon": STATUS_ICONS[queries.STATUS_TONE[status]]}


@bp.get("/verify/<token>.json")
@public
@lean_limit(_limit("VERIFY_RATE_LIMIT"), scope="verify")
def verify_json(token: str):
    """The same look-up for machines (police apps, the city portal)."""
    data = _looked_up(token, "json")
    payload = {k: v for k, v in data.items() if k != "licence_id"}
    payload.update(licence_id=data["licence_id"], checked_at=utcnow().isoformat(timespec="seconds"),
                   verify_url=f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}/verify/{token}")
    body = json.dumps(payload, ensure_ascii=False, default=_json_default, sort_keys=True)
    response = _no_store(Response(body, mimetype="application/json"))
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _json_default(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


@bp.get("/register/")
@public
@limiter.limit(_limit("REGISTER_RATE_LIMIT"))
def register():
    """Search licensed venues by name, area, kind and licence status (no sign-in)."""
    units = queries.area_units()
    filters = queries.RegisterFilters.from_args(request.args, units)
    after = request.args.get("after", "")
    after_id = parse_id(after)
    page = None if filters.errors else queries.search_register(filters, after_id)
    return _render("public/register.html", filters=filters, page=page, area_groups=queries.area_groups(),
                   processing=queries.processing_times())


@bp.get("/open-data/")
@public
def open_data():
    """The data dictionary: every dataset, every column, its type and meaning, with the download links."""
    return _render("public/open_data.html", datasets=opendata.DATASETS.values())


@bp.get("/open-data/<any(licences, venues, 'licence-events'):name>.<any(csv, json):fmt>")
@public
@limiter.limit(_limit("OPEN_DATA_RATE_LIMIT"))
def open_data_file(name: str, fmt: str):
    """A dataset as CSV or JSON, streamed as it is read (constant memory at any size)."""
    filename = f"{name}.{fmt}"
    if fmt == "csv":
        body = csv_stream(opendata.DATASETS[name].header, opendata.csv_rows(name))
        mimetype = "text/csv; charset=utf-8"
    else:
        body = opendata.json_chunks(name)
        mimetype = "application/json"
    response = Response(stream_with_context(body), mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


def public_url(endpoint: str, **values) -> str:
    """``url_for`` that keeps the ``?lang=`` of the current public page (in the public templates' context)."""
    lang = request.args.get("lang")
    if lang in current_app.config["LANGUAGES"] and "lang" not in values:
        values["lang"] = lang
    return url_for(endpoint, **values)
