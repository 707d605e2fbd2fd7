"""Append-only, hash-chained audit log written in the same transaction as the change it records.

``hash = SHA-256(prev_hash || canonical_json(payload))``; the first event chains to 64 zeros. Appends are
serialised by locking the single ``audit_chain_head`` row (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite write
transactions are already serialised by ``BEGIN IMMEDIATE``). ``verify_chain`` recomputes everything.
"""
from __future__ import annotations

import decimal
import enum
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from flask import g, has_request_context, request
from flask_login import current_user
from sqlalchemy import ForeignKey, Index, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from registry.db import utcnow
from registry.extensions import db

GENESIS_HASH = "0" * 64


class AuditEvent(db.Model):
    """One recorded action: who, what, when, from where, and the field-level changes."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_entity", "entity_type", "entity_id", "id"),
        Index("ix_audit_events_venue", "venue_id", "id"),
        Index("ix_audit_events_operator", "operator_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    occurred_at: Mapped[datetime]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    actor_username: Mapped[str | None] = mapped_column(String(80))
    actor_role: Mapped[str | None] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(60), index=True)
    entity_type: Mapped[str | None] = mapped_column(String(40))
    entity_id: Mapped[int | None]
    venue_id: Mapped[int | None]
    operator_id: Mapped[int | None]
    changes_json: Mapped[str] = mapped_column(Text, default="{}")
    ip: Mapped[str | None] = mapped_column(String(64))
    request_id: Mapped[str | None] = mapped_column(String(40))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    @property
    def changes(self) -> dict:
        """The recorded changes as a dict (``{field: [old, new]}`` for updates)."""
        return json.loads(self.changes_json or "{}")


class AuditChainHead(db.Model):
    """The single row that serialises appends and remembers the last link of the chain."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_id: Mapped[int] = mapped_column(default=0)
    last_hash: Mapped[str] = mapped_column(String(64), default=GENESIS_HASH)


def _jsonable(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ") if value.tzinfo else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    return value


def canonical_json(obj: Any) -> str:
    """Serialise with sorted keys and no spaces, so the same data always hashes the same."""
    return json.dumps(_jsonable(obj), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _payload(event: AuditEvent) -> dict:
    return {
        "id": event.id,
        "occurred_at": _jsonable(event.occurred_at),
        "actor_id": event.actor_id,
        "actor_username": event.actor_username,
        "actor_role": event.actor_role,
        "action": event.action,
        "entity_type": event.entity_type,
        "entity_id": event.entity_id,
        "venue_id": event.venue_id,
        "operator_id": event.operator_id,
        "changes": event.changes_json,
        "ip": event.ip,
        "request_id": event.request_id,
    }


def compute_hash(prev_hash: str, event: AuditEvent) -> str:
    """Hash of one event chained to the previous one."""
    return hashlib.sha256((prev_hash + canonical_json(_payload(event))).encode()).hexdigest()


def snapshot(obj: Any, fields: list[str] | tuple[str, ...]) -> dict:
    """Capture the given attributes of ``obj`` as JSON-safe values, for a later ``diff``."""
    return {f: _jsonable(getattr(obj, f)) for f in fields}


def diff(before: dict, after: dict) -> dict:
    """Field-level changes ``{field: [old, new]}`` between two snapshots."""
    return {k: [before.get(k), after.get(k)] for k in after if before.get(k) != after.get(k)}


@dataclass
class Actor:
    """Who an event is attributed to when there is no signed-in user (CLI, system jobs)."""

    id: int | None = None
    username: str | None = "system"
    role: str | None = None


def _current_actor() -> Actor:
    cli_actor = g.get("audit_actor") if _has_g() else None
    if cli_actor is not None:
        return cli_actor
    if has_request_context() and getattr(current_user, "is_authenticated", False):
        return Actor(current_user.id, current_user.username, str(current_user.role))
    return Actor(None, "anonymous" if has_request_context() else "system", None)


def _has_g() -> bool:
    from flask import has_app_context

    return has_app_context()


def record(
    action: str,
    entity: Any = None,
    changes: dict | None = None,
    *,
    entity_type: str | None = None,
    entity_id: int | None = None,
    venue_id: int | None = None,
    operator_id: int | None = None,
    actor: Actor | None = None,
) -> AuditEvent:
    """Append an audit event to the current transaction (the caller commits).

    :param action: dotted verb, e.g. ``venue.create``, ``auth.login_failed``.
    :param entity: the model the action is about; its table name and id are recorded.
    :param changes: ``{field: [old, new]}`` for updates, or any JSON-safe details.
    :param venue_id: the venue whose timeline shows this event (defaults to the entity's ``venue_id``).
    :param operator_id: the operator whose timeline shows this event.
    """
    if entity is not None:
        db.session.flush()
        entity_type = entity_type or entity.__tablename__
        entity_id = entity_id if entity_id is not None else entity.id
        if venue_id is None:
            venue_id = entity.id if entity_type == "venues" else getattr(entity, "venue_id", None)
        if operator_id is None:
            operator_id = entity.id if entity_type == "operators" else getattr(entity, "operator_id", None)
    actor = actor or _current_actor()
    head = db.session.execute(
        select(AuditChainHead).where(AuditChainHead.id == 1).with_for_update()
    ).scalar_one_or_none()
    if head is None:
        head = AuditChainHead(id=1, last_id=0, last_hash=GENESIS_HASH)
        db.session.add(head)
    event = AuditEvent(
        id=head.last_id + 1,
        occurred_at=utcnow(),
        actor_id=actor.id,
        actor_username=actor.username,
        actor_role=actor.role,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        venue_id=venue_id,
        operator_id=operator_id,
        changes_json=canonical_json(changes or {}),
        ip=request.remote_addr if has_request_context() else None,
        request_id=g.get("request_id") if has_request_context() else None,
        prev_hash=head.last_hash,
    )
    event.hash = compute_hash(head.last_hash, event)
    head.last_id, head.last_hash = event.id, event.hash
    db.session.add(event)
    db.session.flush()
    return event


def record_security_event(action: str, *, details: dict | None = None, actor: Actor | None = None) -> None:
    """Record and commit a security event (failed login, permission denied) on its own.

    Called before any change of the request has been made, so committing here commits only the event.
    """
    try:
        record(action, changes=details, actor=actor)
        db.session.commit()
    except Exception:  # the denial itself must still happen
        db.session.rollback()
        raise


@dataclass
class VerifyResult:
    """Outcome of ``verify_chain``."""

    ok: bool
    checked: int
    first_bad_id: int | None = None
    reason: str | None = None


def verify_chain(batch: int = 5000) -> VerifyResult:
    """Recompute every hash in id order; report the first event whose link does not hold."""
    prev_hash, expected_id, checked, last_id = GENESIS_HASH, 1, 0, 0
    while True:
        rows = db.session.execute(
            select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(batch)
        ).scalars().all()
        if not rows:
            break
        for event in rows:
            if event.id != expected_id:
                return VerifyResult(False, checked, expected_id, "missing event")
            if event.prev_hash != prev_hash:
                return VerifyResult(False, checked, event.id, "broken link to the previous event")
            if compute_hash(prev_hash, event) != event.hash:
                return VerifyResult(False, checked, event.id, "content does not match its hash")
            prev_hash, expected_id, checked, last_id = event.hash, event.id + 1, checked + 1, event.id
        db.session.expunge_all()
    head = db.session.get(AuditChainHead, 1)
    if head is not None and (head.last_id != last_id or head.last_hash != prev_hash):
        return VerifyResult(False, checked, last_id + 1 if head.last_id > last_id else last_id,
                            "chain head does not match the last event (events removed at the end?)")
    return VerifyResult(True, checked)
