"""Hostile venue and operator fields go through issue_licence_pdf as text: nothing is fetched (B.10 item 16)."""
from __future__ import annotations

import builtins
import re
import socket
import urllib.request

import pytest

from registry.documents import licences as licence_docs
from registry.documents import pdf
from tests.documents import helpers
from tests.factories import make_operator, make_venue


@pytest.fixture
def fetched(monkeypatch):
    """Every URL the WeasyPrint fetcher is asked for; any network connection or urllib open fails the test."""
    urls: list[str] = []
    fetcher = pdf._get_renderer().fetcher
    real_fetch = fetcher.fetch

    def spy_fetch(url, headers=None):
        urls.append(url)
        return real_fetch(url, headers)

    def no_connect(self, address):
        raise AssertionError(f"network connection to {address}")

    real_urllib = urllib.request.OpenerDirector.open

    def only_data(self, url, *args, **kwargs):
        full = url.full_url if isinstance(url, urllib.request.Request) else url
        assert str(full).startswith("data:"), f"urllib opened {full}"
        return real_urllib(self, url, *args, **kwargs)

    real_open = builtins.open

    def no_passwd(file, *args, **kwargs):
        assert "passwd" not in str(file), f"opened {file}"
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(fetcher, "fetch", spy_fetch)
    monkeypatch.setattr(socket.socket, "connect", no_connect)
    monkeypatch.setattr(urllib.request.OpenerDirector, "open", only_data)
    monkeypatch.setattr(builtins, "open", no_passwd)
    return urls


@pytest.mark.parametrize("name", [
    '<img src="file:///etc/passwd">',
    '<img src="http://169.254.169.254/latest/meta-data/">',
    '<link rel="stylesheet" href="http://169.254.169.254/x.css"><script>alert(1)</script>',
    '"><style>@import url(http://169.254.169.254/)</style>',
])
def test_hostile_venue_name_is_printed_as_text_and_fetches_nothing(db, fetched, pdf_tools, name):
    operator = make_operator(name='<img src="http://169.254.169.254/op.png">',
                             head_office="url(file:///etc/passwd)")
    venue = make_venue(operator, name=name, street='<iframe src="file:///etc/passwd">')
    licence = helpers.make_licence(venue)
    document = licence_docs.issue_licence_pdf(licence)

    assert [u[:22] for u in fetched] == ["data:image/png;base64,"]  # the QR code only
    text = re.sub(r"\s+", "", pdf_tools.text(document.blob.content))
    assert re.sub(r"\s+", "", name) in text
    assert "<iframesrc=\"file:///etc/passwd\">" in text
