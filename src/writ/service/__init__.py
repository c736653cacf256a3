"""Services: the only way into the store. Policy, work and audit meet in ``Services.operation``."""

from writ.service.operation import AccessDenied, NotFound, Operation, Services, StepUpRequired

__all__ = ["AccessDenied", "NotFound", "Operation", "Services", "StepUpRequired"]
