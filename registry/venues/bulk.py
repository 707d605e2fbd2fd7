"""Bulk writing for imports: ids of rows inserted with executemany, and many audit events chained at once.

``audit.record`` costs a round trip per event; an import of 100,000 venues writes 150,000 events in one
statement here, hashed exactly as ``audit.compute_hash`` would (checked on the first event of every batch).
"""
from __future__ import annotations

import hashlib
import json
from types import SimpleNamespace

from flask import g, has_request_context, request
from sqlalchemy import insert, select

from registry.common import audit
from registry.common.audit import AuditChainHead, AuditEvent, canonical_json, compute_hash
from registry.db import utcnow
from registry.extensions import db


def ids_by(key_column, id_column, keys: list) -> dict:
    """``{key: id}`` for rows just inserted, in the order of ``keys`` (looked up 500 at a time)."""
    found = {}
    for i in range(0, len(keys), 500):
        chunk = keys[i:i + 500]
        found.update(db.session.execute(select(key_column, id_column).where(key_column.in_(chunk))).all())
    return {key: found[key] for key in keys}


def _json(changes: dict) -> str:
    try:  # JSON-native changes (strings, numbers, lists): the same text canonical_json makes, much faster
        return json.dumps(changes, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    except TypeError:
        return canonical_json(changes)


_PAYLOAD_KEYS = ("id", "actor_id", "actor_username", "actor_role", "action", "entity_type", "entity_id", "venue_id",
                 "operator_id", "ip", "request_id")


def record_many(events: list[tuple]) -> None:
    """Append many audit events at once, chained exactly as ``audit.record`` chains one.

    ``audit.record`` costs a round trip per event; an import of 100,000 venues needs one statement for all.

    :param events: ``(action, entity_type, entity_id, venue_id, operator_id, changes)`` tuples, in order.
    """
    actor = audit._current_actor()
    head = db.session.execute(select(AuditChainHead).where(AuditChainHead.id == 1).with_for_update()
                              ).scalar_one_or_none()
    if head is None:
        head = AuditChainHead(id=1, last_id=0, last_hash=audit.GENESIS_HASH)
        db.session.add(head)
    ip = request.remote_addr if has_request_context() else None
    request_id = g.get("request_id") if has_request_context() else None
    now, prev, next_id, values = utcnow(), head.last_hash, head.last_id, []
    when = canonical_json(now).strip('"')
    fast = True
    for action, entity_type, entity_id, venue_id, operator_id, changes in events:
        next_id += 1
        event = SimpleNamespace(id=next_id, occurred_at=now, actor_id=actor.id, actor_username=actor.username,
                                actor_role=actor.role, action=action, entity_type=entity_type, entity_id=entity_id,
                                venue_id=venue_id, operator_id=operator_id, changes_json=_json(changes),
                                ip=ip, request_id=request_id, prev_hash=prev)
        if fast:
            # The payload audit.compute_hash hashes, built from JSON-native values: checked against it on the
            # first event, so a change there can never make this chain diverge.
            payload = {k: getattr(event, k) for k in _PAYLOAD_KEYS} | {"occurred_at": when,
                                                                       "changes": event.changes_json}
            digest = hashlib.sha256((prev + _json(payload)).encode()).hexdigest()
            if len(values) == 0 and digest != compute_hash(prev, event):
                fast, digest = False, compute_hash(prev, event)
        else:
            digest = compute_hash(prev, event)
        event.hash = prev = digest
        values.append(vars(event))
    if values:
        db.session.execute(insert(AuditEvent.__table__), values)
        head.last_id, head.last_hash = next_id, prev
        db.session.flush()
