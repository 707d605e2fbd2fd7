"""The public pages' layout, rendered once per process for each language and form of its links.

A verification scan is the busiest request the registry serves, and rendering the layout around the page (header,
language switch, footer: a dozen translated strings and the links) for every scan cost more than the status it
shows. The layout depends only on the page's language, its own links (which keep ``?lang=`` when the page has it)
and the static assets, so ``templates/public/_layout.html`` is rendered once per process for each of those, with a
marker where a page's parts go: its ``title``, ``head`` and ``content`` blocks, and the language switch's links
(which carry the page's own address). A page is then the layout's fragments joined with its blocks, rendered on
their own (``Template.blocks``) in the page's context.

The result is the same text as rendering the page template the ordinary way (``tests/public/test_layout.py``
compares them). Hence two rules for ``templates/public/*.html``: a page puts everything inside its blocks (no
top-level ``{% set %}``, which block rendering does not run), and ``base.html`` uses nothing but ``lang``, ``_``,
``assets`` and ``links``. With ``TEMPLATES_AUTO_RELOAD`` (development) pages are rendered whole, so template edits
show at once.
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from flask import current_app, url_for
from jinja2 import Template
from markupsafe import Markup, escape

LAYOUT_TEMPLATE = "public/_layout.html"
BLOCKS = ("title", "head", "content")
#: The Jinja and Flask globals the public templates use (they get no others).
GLOBALS = {"dict": dict, "range": range, "url_for": url_for}


@dataclass(frozen=True)
class Skeleton:
    """The layout cut at its markers: ``texts[0] slot[0] texts[1] … slot[n-1] texts[n]``."""

    texts: tuple[str, ...]
    slots: tuple[str, ...]

    def fill(self, values: dict[str, str]) -> str:
        out = [self.texts[0]]
        for slot, text in zip(self.slots, self.texts[1:], strict=True):
            out.append(values[slot])
            out.append(text)
        return "".join(out)


def render_page(template_name: str, context: dict) -> str:
    """Render a public page inside the process's layout.

    ``context`` is everything the page sees (``views._render_in``): public pages get no Jinja globals, whose
    merging into every context cost 20 µs a page (``GLOBALS`` are the few they use).
    """
    env = current_app.jinja_env
    template = env.get_template(template_name)
    page = template.new_context(GLOBALS | context, shared=True)
    if env.auto_reload:
        return env.concat(template.root_render_func(page))
    values = {name: _block(template, name, page) for name in BLOCKS}
    for code, url in context["links"]["lang"].items():
        values[f"lang:{code}"] = str(escape(url))
    return skeleton(context).fill(values)


def _block(template: Template, name: str, context) -> str:
    block = template.blocks.get(name)
    return "".join(block(context)) if block else ""


def skeleton(context: dict) -> Skeleton:
    """The layout for this page's language and links, rendered on first use in this process."""
    links = context["links"]
    languages = tuple(links["lang"])
    key = (context["lang"], links["register"], links["open_data"], links["home"], languages)
    cache = current_app.extensions.setdefault("public_layouts", {})
    found = cache.get(key)
    if found is None:
        found = cache[key] = _cut(context, languages)
    return found


def _cut(context: dict, languages: tuple[str, ...]) -> Skeleton:
    nonce = secrets.token_hex(8)

    def marker(slot: str) -> Markup:
        return Markup(f"<!--{nonce}:{slot}-->")  # noqa: S704 (a constant of our own)

    links = dict(context["links"], lang={code: marker(f"lang:{code}") for code in languages})
    layout = {"lang": context["lang"], "_": context["_"], "gettext": context["gettext"],
              "ngettext": context["ngettext"], "assets": context["assets"], "links": links,
              "slots": {name: marker(name) for name in BLOCKS}}
    template = current_app.jinja_env.get_template(LAYOUT_TEMPLATE)
    html = current_app.jinja_env.concat(template.root_render_func(template.new_context(GLOBALS | layout, shared=True)))
    parts = re.split(f"<!--{nonce}:([a-z_:]+)-->", html)
    return Skeleton(texts=tuple(parts[0::2]), slots=tuple(parts[1::2]))
