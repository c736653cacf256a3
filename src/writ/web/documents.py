"""The legal documents on an immigration case (their validity, filing one of any kind with the
fields that kind needs, revoking one), citizenship claims (record, investigate, sign off, and the
gate a claim triggers), and family links declared on the case."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request
from starlette.datastructures import FormData
from starlette.responses import Response

from writ.lifecycle import service as lc
from writ.lifecycle.service.forms import DocumentField, DocumentKind, document_kinds
from writ.service.auth import SignedIn
from writ.web.forms import FieldErrors
from writ.web.guard import FormSession, PageSession, Svc
from writ.web.templating import render, see_other

router = APIRouter(include_in_schema=False)
CaseId = Annotated[str, Path(max_length=64)]
KINDS: dict[str, DocumentKind] = {k.kind: k for k in document_kinds()}
CLAIM_RULES = ("citizenship-claim", "verified-citizen")
# The enforcement action whose gates the claims page shows now.
ENFORCEMENT_CHECK = "arrest"
LABELS = {
    "issued_at": "Issued",
    "issuer": "Issuing office",
    "signer": "Signed by",
    "signer_role": "Signer's role",
    "effective_from": "In effect from",
    "effective_until": "In effect until",
    "attachments": "Attached documents",
    "note": "Note",
    "certified_to_bia": "Certified to the BIA",
    "in_absentia": "Ordered in absentia",
}
# The form asks who issued and signed first, then the kind's own fields, then the rest.
FIRST = ("issued_at", "issuer", "signer", "signer_role")
LAST = ("effective_from", "effective_until", "attachments", "note")
HINTS = {
    "signer_role": "As the delegation lists it, e.g. supervisory_deportation_officer.",
    "attachments": "Ids of documents on this case, separated by commas.",
    "country": "Country name or ISO code (MX or Mexico).",
    "designated_countries": "Country names or ISO codes, separated by commas.",
    "charges": "Separate charges with commas.",
    "order_id": "The id of the order on this case it rests on.",
}


def label(name: str) -> str:
    return LABELS.get(name, name.replace("_", " ").capitalize())


def form_order(kind: DocumentKind) -> list[DocumentField]:
    by_name = {f.name: f for f in kind.fields}
    own = [f for f in kind.fields if f.name not in FIRST + LAST]
    return (
        [by_name[n] for n in FIRST if n in by_name]
        + own
        + [by_name[n] for n in LAST if n in by_name]
    )


def _values(kind: DocumentKind, form: FormData) -> dict[str, Any]:
    """The document as ``add_document`` takes it; empty optional fields are left out."""
    data: dict[str, Any] = {"kind": kind.kind}
    for f in kind.fields:
        if f.input == "bool":
            data[f.name] = form.get(f.name) == "true"
        elif f.input == "choices":
            chosen = [str(v) for v in form.getlist(f.name)]
            if chosen:
                data[f.name] = chosen
        else:
            raw = str(form.get(f.name, "")).strip()
            if not raw:
                continue
            if f.input in ("list", "countries"):
                data[f.name] = [v.strip() for v in raw.split(",") if v.strip()]
            else:
                data[f.name] = raw
    return data


def _documents_page(
    request: Request,
    session: SignedIn,
    svc: Svc,
    case_id: str,
    *,
    kind: str = "",
    error: str = "",
    form: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    file = lc.get_case(svc, session.actor, case_id)
    if kind and kind not in KINDS:
        raise ValueError(f"kind: {kind!r} is not one of {', '.join(KINDS)}")
    return render(
        request,
        "documents.html",
        session,
        status_code=status_code,
        title=f"Documents of {file.case.subject_name}",
        file=file,
        kinds=list(KINDS.values()),
        chosen=KINDS.get(kind),
        fields=form_order(KINDS[kind]) if kind else [],
        label=label,
        hints=HINTS,
        error=error,
        form=form or {},
    )


@router.get("/immigration/{case_id}/documents")
def documents_page(
    request: Request,
    session: PageSession,
    svc: Svc,
    case_id: CaseId,
    kind: Annotated[str, Query(max_length=32)] = "",
) -> Response:
    return _documents_page(request, session, svc, case_id, kind=kind)


@router.post("/immigration/{case_id}/documents")
async def add_document(
    request: Request, session: FormSession, svc: Svc, case_id: CaseId
) -> Response:
    form = await request.form()
    kind = KINDS.get(str(form.get("kind", "")))
    if kind is None:
        raise ValueError(f"kind: {form.get('kind')!r} is not one of {', '.join(KINDS)}")
    try:
        doc = lc.add_document(svc, session.actor, case_id, _values(kind, form))
    except lc.DocumentError as problem:
        kept = {k: form.getlist(k) if k == "probable_cause" else form.get(k) for k in form}
        return _documents_page(
            request,
            session,
            svc,
            case_id,
            kind=kind.kind,
            error=str(problem),
            form=kept,
            status_code=422,
        )
    return see_other(
        request, f"/immigration/{case_id}/documents#on-file", f"{doc.title} {doc.id} filed."
    )


@router.post("/immigration/{case_id}/documents/{document_id}/revoke")
def revoke_document(
    request: Request,
    session: FormSession,
    svc: Svc,
    case_id: CaseId,
    document_id: Annotated[str, Path(max_length=64)],
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    doc = lc.revoke_document(svc, session.actor, case_id, document_id, reason)
    return see_other(
        request, f"/immigration/{case_id}/documents#on-file", f"{doc.title} {doc.id} revoked."
    )


# -- citizenship claims ----------------------------------------------------------------------


def _claims_page(request: Request, session: SignedIn, svc: Svc, case_id: str) -> Response:
    actor = session.actor
    file = lc.get_case(svc, actor, case_id)
    claims = [d for d in file.documents if d.kind == "citizenship_claim"]
    return render(
        request,
        "claims.html",
        session,
        title=f"Citizenship claims of {file.case.subject_name}",
        file=file,
        claims=claims,
        steps={d.id: lc.claim_step(svc, actor, file, d) for d in claims},
        can_record=lc.may_on_case(svc, actor, file, "update"),
        rules=[r for r in lc.list_rules() if r.id in CLAIM_RULES],
        gate_now=lc.check_action(svc, actor, case_id, ENFORCEMENT_CHECK),
        checked_action=ENFORCEMENT_CHECK,
    )


@router.get("/immigration/{case_id}/claims")
def claims_page(
    request: Request,
    session: PageSession,
    svc: Svc,
    case_id: CaseId,
) -> Response:
    return _claims_page(request, session, svc, case_id)


def _claim_done(request: Request, case_id: str, note: str) -> Response:
    return see_other(request, f"/immigration/{case_id}/claims#claims", note)


@router.post("/immigration/{case_id}/claims")
def record_claim(
    request: Request,
    session: FormSession,
    svc: Svc,
    case_id: CaseId,
    basis: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    claim = lc.record_citizenship_claim(svc, session.actor, case_id, basis=basis)
    return _claim_done(request, case_id, f"Claim {claim.id} recorded: enforcement is stopped.")


@router.post("/immigration/{case_id}/claims/{claim_id}/{step}")
def claim_step(
    request: Request,
    session: FormSession,
    svc: Svc,
    case_id: CaseId,
    claim_id: Annotated[str, Path(max_length=64)],
    step: Annotated[str, Path(pattern="^(investigate|sign-off)$")],
    outcome: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    # A step out of order or by the wrong person comes back on the claims page (a ClaimError is
    # an input error like any other).
    if step == "investigate":
        claim = lc.investigate_claim(svc, session.actor, case_id, claim_id)
        return _claim_done(request, case_id, f"Claim {claim.id} is now under investigation.")
    if outcome not in ("citizen", "not_citizen"):
        raise FieldErrors(outcome="Choose the outcome you sign off.")
    claim = lc.sign_off_claim(svc, session.actor, case_id, claim_id, outcome)
    if claim.state.startswith("adjudicated"):
        words = "a US citizen" if claim.state == "adjudicated_citizen" else "not a US citizen"
        return _claim_done(
            request, case_id, f"Claim {claim.id} adjudicated: {words}, signed off by two people."
        )
    return _claim_done(
        request,
        case_id,
        f"Legal's sign-off of claim {claim.id} recorded. It now waits for a second person's "
        "sign-off of the same outcome; enforcement stays stopped until then.",
    )


# -- family links declared on the case -------------------------------------------------------


@router.post("/immigration/{case_id}/family")
def add_family_link(
    request: Request,
    session: FormSession,
    svc: Svc,
    case_id: CaseId,
    relation: Annotated[str, Form(max_length=64)] = "",
    name: Annotated[str, Form(max_length=300)] = "",
    minor: Annotated[bool, Form()] = False,
    linked_case_id: Annotated[str, Form(max_length=64)] = "",
    whereabouts: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    link = lc.add_family_link(
        svc,
        session.actor,
        case_id,
        relation=relation,
        name=name,
        minor=minor,
        linked_case_id=linked_case_id.strip() or None,
        whereabouts=whereabouts.strip() or None,
    )
    return see_other(
        request, f"/immigration/{case_id}#people", f"Family link to {link.name} recorded."
    )
