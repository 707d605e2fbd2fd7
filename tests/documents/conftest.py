"""Fixtures of the documents tests: licences built directly (see helpers.py), PDF inspection helpers."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.documents import helpers


@pytest.fixture
def make_licence(db):
    """``make_licence(venue=None, category="karaoke", status="active", …)`` → a flushed Licence (no PDF yet)."""
    return helpers.make_licence


@pytest.fixture
def licence(db):
    """An active karaoke licence of a venue with six rooms (20–35 m²), committed."""
    lic = helpers.make_licence()
    db.session.commit()
    return lic


def run(*cmd: str) -> str:
    return subprocess.run(cmd, capture_output=True, check=True).stdout.decode()


@pytest.fixture
def pdf_tools(tmp_path):
    """Read a PDF back with poppler and zbar: ``text(data)``, ``fonts(data)``, ``qr(data)``, ``png(data, name)``."""

    class Tools:
        def _file(self, data: bytes, name: str = "doc.pdf") -> Path:
            path = tmp_path / name
            path.write_bytes(data)
            return path

        def text(self, data: bytes) -> str:
            return run("pdftotext", "-layout", str(self._file(data)), "-")

        def fonts(self, data: bytes) -> str:
            return run("pdffonts", str(self._file(data)))

        def png(self, data: bytes, name: str = "page", resolution: int = 200) -> Path:
            prefix = tmp_path / name
            run("pdftoppm", "-r", str(resolution), "-f", "1", "-l", "1", "-png", "-singlefile",
                str(self._file(data, f"{name}.pdf")), str(prefix))
            return prefix.with_suffix(".png")

        def qr(self, data: bytes) -> str:
            return run("zbarimg", "--raw", "-q", str(self.png(data, "qr"))).strip()

    return Tools()
