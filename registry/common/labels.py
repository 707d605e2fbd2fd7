"""Translated labels for enum values, registered by each feature and shown by ``label(value)`` in templates."""
from __future__ import annotations

#: Keyed by (enum type, value): StrEnum members of different enums with the same value are equal, so keying by the
#: member alone would let "karaoke" the venue kind and "karaoke" the licence category share one label.
LABELS: dict[tuple[type, object], object] = {}


def register_labels(mapping: dict) -> None:
    """Add ``{EnumMember: lazy_gettext("Label")}`` entries."""
    LABELS.update({(type(k), k.value): v for k, v in mapping.items()})


def label(value) -> str:
    """The translated label of an enum member (its value if none is registered)."""
    if value is None:
        return ""
    found = LABELS.get((type(value), getattr(value, "value", value)))
    return str(found) if found is not None else str(getattr(value, "value", value))


ACTION_LABELS: dict[str, object] = {}


def register_action_labels(mapping: dict[str, object]) -> None:
    """Add ``{"venue.create": lazy_gettext("Venue registered")}`` entries for timelines and the audit log."""
    ACTION_LABELS.update(mapping)


def action_label(action: str) -> str:
    """The translated label of an audit action (the action itself if none is registered)."""
    found = ACTION_LABELS.get(action)
    return str(found) if found is not None else action
