"""What a reminder digest says: one message per operator, in the operator's language, as e-mail (text + HTML) or
as a printed letter. Rendering is a pure function of the plan and the day, so the preview is exactly what is sent.

The fixed wording (subject, greeting, intro, section titles, closing, "N/A") is city configuration
(``reminders.json`` → ``ReminderTemplate``); record labels (licence type names, document kinds) come from the data
and the translation catalogue under ``flask_babel.force_locale``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select

from registry.common.formatting import fmt_date
from registry.extensions import db
from registry.oversight.sources import DueItem, item_title

#: The sections of a digest, in order, and the kinds of items each lists. A section always appears; an empty one
#: reads "N/A" (or the template's word for it).
SECTIONS = (
    ("licences", ("licence_expiry", "licence_flag", "suspension_end")),
    ("documents", ("document_expiry",)),
    ("inspections", ("remedy_deadline", "followup_inspection")),
)

DEFAULT_TEXTS = {
    "sections": {"licences": "Licences", "documents": "Prerequisite documents", "inspections": "Inspections"},
    "kinds": {}, "none": "N/A", "venue": "Venue", "due_on": "Due", "days_left": "{n} days left",
    "due_today": "due today", "overdue": "{n} days overdue", "grace": "in the grace period until {date}",
    "affected": "Licences affected", "letter_summary": "", "recipient_archive": "VT",
}


@dataclass
class Wording:
    """The template of one language, with defaults for anything the preset leaves out."""

    lang: str
    subject: str = "{count} items falling due for {operator}"
    greeting: str = "To: {operator}"
    intro: str = "The following items fall due soon or are overdue as of {today}:"
    closing: str = ""
    signature: str = ""
    letter_title: str = "NOTICE"
    texts: dict = field(default_factory=dict)

    def text(self, key: str) -> str:
        return self.texts.get(key, DEFAULT_TEXTS.get(key, key))

    def section(self, key: str) -> str:
        return {**DEFAULT_TEXTS["sections"], **self.texts.get("sections", {})}[key]

    def kind(self, key: str, fallback: str) -> str:
        return self.texts.get("kinds", {}).get(key) or fallback


def wording(lang: str) -> Wording:
    """The digest template for ``lang`` (falls back to Vietnamese, then to built-in English)."""
    from registry.oversight.models import ReminderTemplate

    rows = {t.lang: t for t in db.session.execute(select(ReminderTemplate)).scalars()}
    row = rows.get(lang) or rows.get("vi")
    if row is None:
        return Wording(lang=lang)
    return Wording(lang=row.lang, subject=row.subject, greeting=row.greeting, intro=row.intro, closing=row.closing,
                   signature=row.signature, letter_title=row.letter_title, texts=row.texts)


@dataclass
class DigestLine:
    """One item as the operator reads it."""

    kind_label: str
    title: str
    label: str
    venue: str
    due_on: str
    when: str
    affected: list[str] | None = None


@dataclass
class RenderedDigest:
    """A digest ready to send or print: subject, text, HTML and the structured sections (for the letter)."""

    lang: str
    recipient: str | None
    operator_name: str
    subject: str
    text: str
    html: str
    greeting: str
    intro: str
    closing: str
    signature: str
    sections: list[tuple[str, list[DigestLine]]]
    none_text: str
    affected_label: str


def _tidy(text: str) -> str:
    """No trailing spaces, at most one blank line in a row (template whitespace)."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out) + "\n"


def _when(item: DueItem, w: Wording) -> str:
    if item.days_left > 0:
        phrase = w.text("days_left").format(n=item.days_left)
    elif item.days_left == 0:
        phrase = w.text("due_today")
    else:
        phrase = w.text("overdue").format(n=-item.days_left)
    if item.in_grace and item.grace_until:
        phrase += "; " + w.text("grace").format(date=fmt_date(item.grace_until))
    return phrase


def render(*, operator_name: str, recipient: str | None, lang: str, items: list[DueItem], today: date,
           with_affected: dict[tuple[str, int], list[str]] | None = None) -> RenderedDigest:
    """Render the digest of ``items`` for one operator in ``lang`` (text and HTML from the same data)."""
    w = wording(lang)
    with force_locale(lang):
        by_kind: dict[str, list[DueItem]] = {}
        for item in items:
            by_kind.setdefault(item.kind, []).append(item)
        sections = []
        for key, kinds in SECTIONS:
            lines = []
            for kind in kinds:
                for item in by_kind.get(kind, []):
                    affected = None
                    if kind == "document_expiry":
                        affected = list((with_affected or {}).get(item.key, item.affected))
                    lines.append(DigestLine(kind_label=w.kind(kind, str(item.source.label)),
                                            title=item_title(item, lang), label=item.label, venue=item.venue_name,
                                            due_on=fmt_date(item.due_on), when=_when(item, w), affected=affected))
            sections.append((w.section(key), lines))
        values = {"operator": operator_name, "count": len(items), "today": fmt_date(today)}
        context = dict(subject=w.subject.format(**values), greeting=w.greeting.format(**values),
                       intro=w.intro.format(**values), closing=w.closing.format(**values),
                       signature=w.signature.format(**values), sections=sections, none_text=w.text("none"),
                       affected_label=w.text("affected"), due_label=w.text("due_on"), venue_label=w.text("venue"),
                       lang=lang)
        # the environment directly, not render_template: no request context processors (CLI and cron have none)
        env = current_app.jinja_env
        text = _tidy(env.get_template("oversight/email/digest.txt").render(**context))
        html = env.get_template("oversight/email/digest.html").render(**context)
    return RenderedDigest(lang=lang, recipient=recipient, operator_name=operator_name, subject=context["subject"],
                          text=text, html=html, greeting=context["greeting"], intro=context["intro"],
                          closing=context["closing"], signature=context["signature"], sections=sections,
                          none_text=context["none_text"], affected_label=context["affected_label"])


# ------------------------------------------------------------------ letters (one PDF, one letter per operator)
LETTER_TEMPLATE = "documents/pdf/reminder_letter.html"
LETTER_TEMPLATE_VERSION = "reminder-letter-2026.1"
PLACE = "Hải Phòng"


def _issuer(lang: str) -> tuple[dict, dict, str, str]:
    """Issuer block, signer block, letter symbol and place name from the licensing configuration (the preset's
    ``issuer_code`` names the authority; the first active one otherwise)."""
    from flask import current_app

    from registry.licences.models import IssuingAuthority, Signer
    from registry.oversight.preset import reminder_settings
    from registry.presets.loader import PRESETS_DIR

    settings = reminder_settings(PRESETS_DIR / current_app.config.get("PRESET", "haiphong"))
    code = settings.get("issuer_code")
    authority = None
    if code:
        authority = db.session.execute(select(IssuingAuthority).where(IssuingAuthority.code == code)).scalar()
    if authority is None:
        authority = db.session.execute(select(IssuingAuthority).where(IssuingAuthority.active.is_(True))
                                       .order_by(IssuingAuthority.id)).scalars().first()
    symbol = settings.get("letter_symbol", "TB")
    if authority is None:
        issuer = {"parent_body": "", "body": "SỞ VĂN HÓA VÀ THỂ THAO" if lang == "vi"
                  else "DEPARTMENT OF CULTURE AND SPORTS"}
        return issuer, {"prefix": "", "position": "", "name": ""}, symbol, PLACE
    en = lang != "vi"
    issuer = {"parent_body": (authority.parent_body_en if en else authority.parent_body).upper(),
              "body": (authority.name_en if en else authority.name).upper()}
    signer = db.session.execute(select(Signer).where(Signer.authority_id == authority.id, Signer.active.is_(True))
                                .order_by(Signer.id)).scalars().first()
    signer_block = {"prefix": "", "position": "", "name": ""}
    if signer is not None:
        signer_block = {"prefix": ((signer.prefix_en if en else signer.prefix) or "").upper(),
                        "position": ((signer.position_en if en else signer.position) or "").upper(),
                        "name": signer.full_name}
    return issuer, signer_block, symbol, authority.place_name or PLACE


def letter(digest: RenderedDigest, *, today: date) -> dict:
    """Plain-data context of one letter (the PDF layer never sees a model)."""
    from registry.documents.pdf import LABELS, en_date_line, vn_date_line

    issuer, signer, symbol, place = _issuer(digest.lang)
    w = wording(digest.lang)
    lang = digest.lang if digest.lang in LABELS else "vi"
    return {
        "lang": lang,
        "L": LABELS[lang],
        "date_text": (vn_date_line if lang == "vi" else en_date_line)(place, today),
        "issuer": issuer,
        "signer": signer,
        # the number is written by the records office when the letter is signed (Decree 30/2020 practice)
        "number": "\u00a0" * 10 + f"/{symbol}",
        "issued_on": today,
        "title_lines": [w.letter_title, w.text("letter_summary")] if w.text("letter_summary") else [w.letter_title],
        "greeting": digest.greeting,
        "intro": digest.intro,
        "sections": [{"title": title, "lines": [line.__dict__ for line in lines]} for title, lines in digest.sections],
        "none_text": digest.none_text,
        "affected_label": digest.affected_label,
        "closing": digest.closing,
        "recipients": [digest.operator_name],
        "archive": w.text("recipient_archive"),
    }


def letters_context(letters: list[dict], *, today: date, lang: str = "vi") -> dict:
    """Context of the one PDF that holds every letter (each letter carries its own language and header)."""
    first = letters[0] if letters else {}
    return {"lang": lang, "letters": letters, "issued_on": today, "number": "", "issuer": first.get("issuer", {}),
            "signer": first.get("signer", {}), "recipients": [], "archive": "", "doc_kind": "reminder_letter",
            "template_version": LETTER_TEMPLATE_VERSION}
