"""Issued documents: download the stored PDF, list a licence's documents, print a marked copy or the translation.

The licence page includes ``templates/documents/_licence_documents.html`` (it needs ``licence`` in its context);
the partial asks :func:`licence_documents_panel` for what it shows.
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import HiddenField
from wtforms.validators import AnyOf, Optional

from registry.common.forms import RegistryForm
from registry.common.permissions import Permission, can, deny, require
from registry.common.urls import safe_next
from registry.documents import licences as licence_docs
from registry.documents import services
from registry.documents.models import DocumentKind, IssuedDocument, kind_label
from registry.extensions import db

bp = Blueprint("documents", __name__, url_prefix="/documents")

#: What a user must also be granted to download a document of each kind (LICENCE_VIEW is checked first).
KIND_PERMISSION = {
    DocumentKind.LICENCE: Permission.LICENCE_VIEW,
    DocumentKind.LICENCE_COPY: Permission.LICENCE_VIEW,
    DocumentKind.SUSPENSION_NOTICE: Permission.LICENCE_VIEW,
    DocumentKind.REVOCATION_DECISION: Permission.LICENCE_VIEW,
    DocumentKind.MINUTES: Permission.INSPECTION_VIEW,
    DocumentKind.REMINDER_LETTER: Permission.DASHBOARD_VIEW,
    DocumentKind.REPORT: Permission.REPORT_VIEW,
}


class IssueForm(RegistryForm):
    """A button that issues a document (CSRF-protected); ``next`` brings the user back to the page they were on."""

    lang = HiddenField(validators=[Optional(), AnyOf(licence_docs.LANGS)])
    next = HiddenField()


def _load_licence(licence_id: int):
    from registry.licences.models import Licence

    licence = db.session.get(Licence, licence_id)
    if licence is None:
        abort(404)
    return licence


def _back(licence_id: int, form: IssueForm):
    return redirect(safe_next(form.next.data) or url_for("documents.licence_documents", licence_id=licence_id))


@bp.get("/<int:document_id>.pdf")
@require(Permission.LICENCE_VIEW)
def download(document_id: int):
    """The stored PDF, byte for byte as issued (never re-rendered)."""
    document = db.session.get(IssuedDocument, document_id)
    if document is None:
        abort(404)
    if not can(KIND_PERMISSION.get(document.kind, Permission.LICENCE_VIEW)):
        deny(f"document:{document.kind}")
    etag = document.sha256
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        response = Response(services.blob_content(document.blob_id), mimetype="application/pdf")
    response.set_etag(etag)
    response.headers["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, max-age=86400, immutable"
    response.headers["X-Document-SHA256"] = document.sha256
    return response


@bp.get("/licences/<int:licence_id>")
@require(Permission.LICENCE_VIEW)
def licence_documents(licence_id: int):
    """Every document issued for a licence, with the buttons to print a copy or the English translation."""
    licence = _load_licence(licence_id)
    return render_template("documents/licence_documents.html", licence=licence)


@bp.post("/licences/<int:licence_id>/copy")
@require(Permission.LICENCE_PRINT)
def print_copy(licence_id: int):
    """Issue a marked copy ("BẢN SAO") of a licence, e.g. when the original was lost; the copy is recorded."""
    form = IssueForm()
    if not form.validate_on_submit():
        abort(400)
    licence = _load_licence(licence_id)
    lang = form.lang.data or "vi"
    document = licence_docs.issue_licence_copy(licence, issued_by=current_user, lang=lang)
    db.session.commit()
    flash(_("A marked copy (BẢN SAO) of licence %(number)s was issued and recorded.",
            number=licence.number_display), "success")
    return redirect(safe_next(form.next.data) or url_for("documents.licence_documents", licence_id=licence_id,
                                                         _anchor=f"document-{document.id}"))


@bp.post("/licences/<int:licence_id>/issue")
@require(Permission.LICENCE_PRINT)
def issue(licence_id: int):
    """Render and store the licence PDF if it has none yet in that language (legacy licences, the English
    translation); an existing one is never rendered again."""
    form = IssueForm()
    if not form.validate_on_submit():
        abort(400)
    licence = _load_licence(licence_id)
    lang = form.lang.data or "vi"
    document, created = licence_docs.ensure_licence_pdf(licence, issued_by=current_user, lang=lang)
    db.session.commit()
    if created:
        flash(_("The PDF of licence %(number)s was generated and stored.", number=licence.number_display),
              "success")
    else:
        flash(_("This PDF was already issued: the stored document is unchanged."), "info")
    return _back(licence_id, form)


@bp.app_template_global()
def document_kind_label(kind) -> str:
    """Name of a document kind in the user's language (templates)."""
    return kind_label(kind)


@bp.app_template_global()
def licence_documents_panel(licence) -> dict:
    """What ``documents/_licence_documents.html`` shows for ``licence`` (3 queries, none per row)."""
    documents = services.licence_documents(licence.id)
    originals = {d.lang for d in documents if d.kind == DocumentKind.LICENCE}
    return {
        "documents": documents,
        "has_original": "vi" in originals,
        "has_translation": "en" in originals,
        "scan_count": services.scan_count(licence.id),
        "last_scan_at": services.last_scan_at(licence.id),
        "form": IssueForm(formdata=None),
        "next": request.full_path if request.method == "GET" else None,
    }
