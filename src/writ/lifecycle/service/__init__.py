"""Lifecycle services: the only way interfaces reach immigration cases, documents, gates,
overrides, custody, removal logistics, operation plans, priorities and the detainee locator.

Every service runs inside ``Services.operation``: the policy decides who may ask, the gate rules
decide what the law allows on the documents on file, and the audit entry records both, blocked
attempts included, with every rule that fired.
"""

from writ.lifecycle.documents import DocumentError
from writ.lifecycle.engine import Evaluation, Finding, OverrideRefused
from writ.lifecycle.priorities import PriorityResult
from writ.lifecycle.service.actions import (
    ClaimError,
    ClaimView,
    check_action,
    investigate_claim,
    override_gate,
    record_citizenship_claim,
    request_action,
    sign_off_claim,
)
from writ.lifecycle.service.cases import (
    AttemptView,
    CaseFile,
    CaseSummary,
    DeclaredFamily,
    DocumentView,
    FamilyView,
    OverrideView,
    add_document,
    add_family_link,
    declared_family,
    get_case,
    list_cases,
    open_case,
    revoke_document,
    update_family_link,
)
from writ.lifecycle.service.custody import (
    Facility,
    add_facility,
    book_into_custody,
    list_facilities,
    release_from_custody,
    transfer_custody,
)
from writ.lifecycle.service.gating import ActionResult, Blocked, Done
from writ.lifecycle.service.locator import LocatorAnswer, LocatorEntry, locate_detainee
from writ.lifecycle.service.next_steps import (
    ClaimStep,
    attempt_status,
    claim_step,
    may_on_case,
    may_override,
)
from writ.lifecycle.service.operations import (
    OperationPlan,
    WorklistItem,
    approve_operation_plan,
    create_operation_plan,
    execute_operation_case,
    field_worklist,
    get_operation_plan,
    list_operation_plans,
)
from writ.lifecycle.service.oversight import (
    OverdueItem,
    OverdueReport,
    overdue_items,
    overdue_report,
)
from writ.lifecycle.service.photos import (
    MAX_BYTES as PHOTO_MAX_BYTES,
)
from writ.lifecycle.service.photos import (
    PhotoFiles,
    PhotoIntegrityError,
    PhotoOfRecord,
    photo_files,
    photo_of_record,
    set_photo,
)
from writ.lifecycle.service.priorities import place_case, save_priority_set
from writ.lifecycle.service.removal import (
    RemovalPlan,
    cancel_removal,
    execute_removal,
    plan_removal,
)
from writ.lifecycle.service.rulebook import RuleView, list_rules

__all__ = [
    "PHOTO_MAX_BYTES",
    "ActionResult",
    "AttemptView",
    "Blocked",
    "CaseFile",
    "CaseSummary",
    "ClaimError",
    "ClaimStep",
    "ClaimView",
    "DeclaredFamily",
    "DocumentError",
    "DocumentView",
    "Done",
    "Evaluation",
    "Facility",
    "FamilyView",
    "Finding",
    "LocatorAnswer",
    "LocatorEntry",
    "OperationPlan",
    "OverdueItem",
    "OverdueReport",
    "OverrideRefused",
    "OverrideView",
    "PhotoFiles",
    "PhotoIntegrityError",
    "PhotoOfRecord",
    "PriorityResult",
    "RemovalPlan",
    "RuleView",
    "WorklistItem",
    "add_document",
    "add_facility",
    "add_family_link",
    "approve_operation_plan",
    "attempt_status",
    "book_into_custody",
    "cancel_removal",
    "check_action",
    "claim_step",
    "create_operation_plan",
    "declared_family",
    "execute_operation_case",
    "execute_removal",
    "field_worklist",
    "get_case",
    "get_operation_plan",
    "investigate_claim",
    "list_cases",
    "list_facilities",
    "list_operation_plans",
    "list_rules",
    "locate_detainee",
    "may_on_case",
    "may_override",
    "open_case",
    "overdue_items",
    "overdue_report",
    "override_gate",
    "photo_files",
    "photo_of_record",
    "place_case",
    "plan_removal",
    "record_citizenship_claim",
    "release_from_custody",
    "request_action",
    "revoke_document",
    "save_priority_set",
    "set_photo",
    "sign_off_claim",
    "transfer_custody",
    "update_family_link",
]
