"""Demo data for Hải Phòng: accounts for each role, operators, venues and (as features land) their records.

Refused with the production configuration. ``build_demo`` is what ``make run`` loads into an empty database.
"""
from __future__ import annotations

from flask import current_app

from registry.common.modules import import_optional
from registry.common.permissions import Role

DEMO_PASSWORD = "registry-demo"  # noqa: S105 (published demo password, refused in production)
DEMO_USERS = (
    ("admin", "Trần Quốc Admin", Role.ADMIN),
    ("manager", "Nguyễn Thị Lan", Role.MANAGER),
    ("clerk", "Phạm Văn Minh", Role.CLERK),
    ("inspector", "Lê Hoàng Nam", Role.INSPECTOR),
    ("inspector2", "Vũ Thị Hạnh", Role.INSPECTOR),
    ("clerk2", "Đỗ Thu Trang", Role.CLERK),
)

#: Feature modules that add demo records, each with ``build(rng)``; run in order.
DEMO_SECTIONS = (
    "registry.demo.foundation",
    "registry.demo.licensing",
    "registry.demo.documents",
    "registry.demo.inspections",
    "registry.demo.oversight",
)


class DemoRefused(RuntimeError):
    """Demo data was asked for under the production configuration."""


def ensure_demo_allowed() -> None:
    """Refuse demo data in production.

    :raises DemoRefused: when ``DEMO_ALLOWED`` is false.
    """
    if not current_app.config.get("DEMO_ALLOWED"):
        raise DemoRefused("Demo data is refused with the production configuration.")


def create_demo_users() -> None:
    """The demo accounts, all with the demo password."""
    from registry.auth import services

    for username, full_name, role in DEMO_USERS:
        if services.find_user(username) is None:
            services.create_user(username=username, full_name=full_name, role=role, password=DEMO_PASSWORD,
                                 email=f"{username}@example.org", check_policy=False)


def build_demo(seed: int = 2026) -> None:
    """Create the demo data set (the caller commits)."""
    import random

    ensure_demo_allowed()
    create_demo_users()
    rng = random.Random(seed)
    for name in DEMO_SECTIONS:
        module = import_optional(name)
        if module is not None:
            module.build(rng)
