"""`flask backup`: a consistent copy of the database and DATA_DIR that restores with the same data."""
from __future__ import annotations

import json
import sqlite3
import tarfile
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from registry.backup import table_counts, verify_chain_in
from registry.common import audit
from tests.conftest import drop_pg_database
from tests.factories import make_operator, make_venue


@pytest.fixture
def data(app, db, make_user):
    """A database with users, venues and audit events, and a file in DATA_DIR."""
    make_user("clerk")
    operator = make_operator()
    for _ in range(5):
        venue = make_venue(operator)
        audit.record("venue.create", venue, {"name": [None, venue.name]})
    db.session.commit()
    folder = Path(app.config["DATA_DIR"]) / "documents"
    folder.mkdir(parents=True)
    (folder / "licence-1.pdf").write_bytes(b"%PDF-1.7 demo")
    with Session(db.engine) as session:
        return table_counts(session)


def create(runner, folder: Path) -> dict:
    result = runner.invoke(args=["backup", "create", "--dir", str(folder)])
    assert result.exit_code == 0, result.output
    manifest_path = next(folder.glob("*-manifest.json"))
    assert str(manifest_path) in result.output
    return json.loads(manifest_path.read_text(encoding="utf-8")) | {"_path": manifest_path}


@pytest.fixture
def restored_url(db, tmp_path):
    """Where a backup is restored for the drill: a scratch database of the same kind as the app's."""
    if db.engine.dialect.name == "sqlite":
        yield None
        return
    name = f"restore_{uuid.uuid4().hex[:8]}"
    admin = create_engine(db.engine.url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield db.engine.url.set(database=name).render_as_string(hide_password=False)
    drop_pg_database(admin, name)
    admin.dispose()


def test_backup_restores_with_the_same_rows_and_an_intact_audit_chain(runner, db, data, tmp_path, restored_url):
    manifest = create(runner, tmp_path / "backups")
    folder = manifest["_path"].parent
    database_file = folder / manifest["database"]["file"]

    if restored_url is None:
        with sqlite3.connect(database_file) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # one self-contained file
        restored = create_engine(f"sqlite:///{database_file}")
    else:
        verify = runner.invoke(args=["backup", "verify", str(manifest["_path"]), "--restore-into", restored_url])
        assert verify.exit_code == 0, verify.output
        restored = create_engine(make_url(restored_url))
    try:
        with Session(restored) as session:
            assert table_counts(session) == data
            assert manifest["row_counts"] == data
            ok, checked, bad, reason = verify_chain_in(session)
    finally:
        restored.dispose()
    assert ok, (bad, reason)
    assert checked == data["audit_events"]
    assert manifest["audit_chain_head"]["last_id"] == data["audit_events"]


def test_data_folder_is_archived_with_checksums(runner, data, tmp_path):
    manifest = create(runner, tmp_path / "backups")
    folder = manifest["_path"].parent
    archive = next(name for name in manifest["files"] if name.endswith("-data.tar.gz"))
    with tarfile.open(folder / archive) as tar:
        assert tar.getnames() == ["documents/licence-1.pdf"]
        assert tar.extractfile("documents/licence-1.pdf").read() == b"%PDF-1.7 demo"
    assert manifest["data_dir"]["files"] == 1
    assert all(len(meta["sha256"]) == 64 for meta in manifest["files"].values())


def test_verify_passes_on_a_good_backup(runner, data, tmp_path):
    manifest = create(runner, tmp_path / "backups")
    result = runner.invoke(args=["backup", "verify", str(manifest["_path"])])
    assert result.exit_code == 0, result.output
    assert "SHA-256 matches" in result.output
    assert "passed its checks" in result.output


def test_verify_fails_when_a_file_was_altered(runner, data, tmp_path):
    manifest = create(runner, tmp_path / "backups")
    database_file = manifest["_path"].parent / manifest["database"]["file"]
    with database_file.open("r+b") as fh:
        fh.seek(database_file.stat().st_size // 2)
        fh.write(b"\x00corrupted\x00")

    result = runner.invoke(args=["backup", "verify", str(manifest["_path"])])

    assert result.exit_code == 1
    assert f"{database_file.name}: SHA-256 differs from the manifest" in result.output
    assert "did NOT pass" in result.output


def test_verify_detects_a_backup_damaged_after_it_was_made(runner, db, data, tmp_path):
    manifest = create(runner, tmp_path / "backups")
    copy = manifest["_path"].parent / manifest["database"]["file"]
    if db.engine.dialect.name == "sqlite":  # someone edits the audit log inside the copy
        with sqlite3.connect(copy) as conn:
            conn.execute("DROP TRIGGER audit_events_no_update")
            conn.execute("UPDATE audit_events SET actor_username = 'intruder' WHERE id = 2")
        expected = "audit chain of the copy: BROKEN at event 2"
    else:  # the dump file is cut short
        copy.write_bytes(copy.read_bytes()[:200])
        expected = "pg_restore --list failed"

    result = runner.invoke(args=["backup", "verify", str(copy)])

    assert result.exit_code == 1
    assert expected in result.output


def test_missing_pg_dump_gives_a_clear_message(runner, app, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "SQLALCHEMY_DATABASE_URI", "postgresql+psycopg://u:p@/nowhere?host=/tmp")
    monkeypatch.setenv("PATH", str(tmp_path))  # no pg_dump here
    monkeypatch.setattr("registry.backup.table_counts", lambda session: {})
    monkeypatch.setattr("registry.backup.chain_head", lambda session: None)

    result = runner.invoke(args=["backup", "create", "--dir", str(tmp_path / "b")])

    assert result.exit_code == 1
    assert "pg_dump was not found on PATH" in result.output
