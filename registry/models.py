"""Aggregator only: imports every feature's models so Alembic and the shell see the whole schema."""
from registry.common.modules import import_optional
from registry.extensions import db

MODEL_MODULES = (
    "registry.auth.models",
    "registry.common.audit",
    "registry.reference.models",
    "registry.venues.models",
    "registry.licences.models",
    "registry.documents.models",
    "registry.inspections.models",
    "registry.oversight.models",
)


def import_all_models() -> None:
    """Import every feature's models module that exists."""
    for name in MODEL_MODULES:
        import_optional(name)


import_all_models()

__all__ = ["db", "import_all_models"]
