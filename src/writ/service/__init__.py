"""Services: the only way into the store. Policy, work and audit meet in ``Services.operation``.

The names below are loaded from ``writ.service.operation`` on first use, so that importing a
light module of this package (``writ.service.settings``) does not start SQLAlchemy and the
policy engine: the ``writ`` command imports its settings before it knows what it will run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from writ.service.operation import (
        AccessDenied,
        NotFound,
        Operation,
        Services,
        StepUpRequired,
    )

__all__ = ["AccessDenied", "NotFound", "Operation", "Services", "StepUpRequired"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from writ.service import operation

        return getattr(operation, name)
    raise AttributeError(f"module 'writ.service' has no attribute {name!r}")
