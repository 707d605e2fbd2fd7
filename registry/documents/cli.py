"""``flask permits print``: batch printing of licence PDFs (stored documents are copied, never re-rendered)."""
from __future__ import annotations

import sys
import time
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup

permits_cli = AppGroup("permits", help="Licence documents: batch printing.")


@permits_cli.command("print")
@click.option("--type", "type_code", default=None, help="Licence type code (e.g. KARAOKE).")
@click.option("--status", default=None,
              type=click.Choice(["active", "suspended", "revoked", "ceased", "superseded", "expired"]),
              help="Licence status.")
@click.option("--district", "area_code", default=None,
              help="Code of a district, ward or commune (e.g. HP-D-LECHAN) where the venue is.")
@click.option("--issued-from", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Issued on or after (YYYY-MM-DD).")
@click.option("--issued-to", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Issued on or before (YYYY-MM-DD).")
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True,
              help="vi: the legal original; en: the English translation.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder to copy one PDF per licence into (with a SHA256SUMS file).")
@click.option("--merged", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="One PDF file with every licence, for a print run.")
@click.option("--workers", type=click.IntRange(1, 16), default=2, show_default=True,
              help="Processes rendering licences that have no stored PDF yet.")
def print_command(type_code, status, area_code, issued_from, issued_to, lang, out_dir, merged, workers):
    """Copy the stored PDFs of the matching licences into --out DIR or --merged FILE.pdf.

    A licence without a stored PDF (legacy import) is rendered once, stored with its SHA-256, then copied.
    """
    from registry.cli import cli_actor, fail
    from registry.documents.batch import BatchError, PrintFilters, print_licences, quiet_weasyprint

    if (out_dir is None) == (merged is None):
        fail("Give exactly one of --out DIR or --merged FILE.pdf.")
    if issued_from and issued_to and issued_from > issued_to:
        fail("--issued-from is after --issued-to.")
    cli_actor()
    quiet_weasyprint()
    filters = PrintFilters(type_code=type_code, status=status, area_code=area_code,
                           issued_from=issued_from.date() if issued_from else None,
                           issued_to=issued_to.date() if issued_to else None)
    started = time.perf_counter()
    try:
        result = print_licences(filters, lang=lang, out_dir=out_dir, merged=merged, workers=workers,
                                progress_factory=lambda label, n: click.progressbar(length=n, label=label,
                                                                                    file=sys.stderr))
    except BatchError as exc:
        fail(str(exc))
    elapsed = time.perf_counter() - started
    if result.licences == 0:
        click.echo("No licence matches these filters.")
        return
    target = out_dir if out_dir is not None else merged
    click.echo(f"{result.licences} licences: {result.rendered} rendered for the first time and stored, "
               f"{result.copied} copied to {target} in {elapsed:.1f} s.")


def register(app: Flask) -> None:
    """Attach ``flask permits …``."""
    app.cli.add_command(permits_cli)
