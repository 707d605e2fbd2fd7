"""Code run in separate processes by the concurrency tests (each process builds its own app, like app servers)."""
from __future__ import annotations

import time
import traceback

BUSY = "database is locked"


def approve_at_once(uri: str, data_dir: str, application_id: int, manager_id: int, barrier, results) -> None:
    """Wait for every worker, then approve one application; put ``(application_id, number, busy retries)``.

    On SQLite a writer that waited longer than the busy timeout gets "database is locked" and nothing of its
    transaction is kept; like a clerk pressing the button again, the worker then starts over. PostgreSQL waits on
    the counter's row lock instead, so it never needs to.
    """
    try:
        from sqlalchemy.exc import OperationalError

        from registry import create_app
        from registry.config import TestConfig
        from registry.documents import pdf
        from registry.extensions import db

        app = create_app(type("WorkerConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": uri, "DATA_DIR": data_dir}))
        with app.app_context():
            pdf.render_pdf(pdf.LICENCE_TEMPLATE, pdf.sample_licence_context())  # warm up fonts, as a server would
            from registry.auth.models import User
            from registry.licences import services
            from registry.licences.models import Application

            barrier.wait(timeout=300)
            retries, deadline = 0, time.monotonic() + 300
            while True:
                try:
                    application = db.session.get(Application, application_id)
                    licence = services.decide(application, approve=True, by=db.session.get(User, manager_id))
                    number = licence.number  # read before commit: afterwards it would need a new transaction
                    db.session.commit()
                    break
                except OperationalError as exc:
                    db.session.rollback()
                    if BUSY not in str(exc) or time.monotonic() > deadline:
                        raise
                    retries += 1
            results.put((application_id, number, retries))
            db.session.remove()
            db.engine.dispose()
    except Exception:  # report to the test instead of dying silently
        results.put((application_id, None, traceback.format_exc()))
