"""Immigration cases: the case page (alerts first), gated actions with the rules that fired and
their citations, the override of a soft gate by a second person, custody, and the public
detainee locator (outside sign-in)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, Request
from starlette.responses import RedirectResponse, Response

from writ.lifecycle import service as lc
from writ.service.auth import SignedIn
from writ.web import confirm, plain
from writ.web.guard import FormSession, PageSession, Svc
from writ.web.templating import render, see_other

router = APIRouter(include_in_schema=False)

# The actions a person requests from the case page (the others have their own forms below).
REQUESTED_ACTIONS = (
    "verify_identity",
    "begin_charging",
    "charge",
    "decide_custody",
    "record_order",
    "file_appeal",
    "order_becomes_final",
    "decide_appeal",
    "arrest",
    "issue_detainer",
    "hold_on_detainer",
)
CaseId = Annotated[str, Path(max_length=64)]


def _back(request: Request, case_id: str, attempt: int | None = None, note: str = "") -> Response:
    """Back to the case page: showing the attempt's result (read from the case's history), or
    with ``note`` shown once."""
    if attempt is not None:
        return RedirectResponse(f"/immigration/{case_id}?attempt={attempt}#result", status_code=303)
    return see_other(request, f"/immigration/{case_id}", note)


@router.get("/immigration")
def case_list(
    request: Request,
    session: PageSession,
    svc: Svc,
    state: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    found = lc.list_cases(svc, session.actor, state=state or None)
    return render(
        request,
        "immigration_cases.html",
        session,
        title="Immigration cases",
        cases=found,
        state=state,
    )


@router.post("/immigration")
def open_case(
    request: Request,
    session: FormSession,
    svc: Svc,
    subject_name: Annotated[str, Form(max_length=300)] = "",
    birth_date: Annotated[str, Form(max_length=64)] = "",
    country_of_birth: Annotated[str, Form(max_length=64)] = "",
    a_number: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    if not subject_name.strip():
        raise ValueError("subject_name: enter the person's full name")
    try:
        born = date.fromisoformat(birth_date) if birth_date else None
    except ValueError:
        raise ValueError(f'birth_date: "{birth_date}" is not a date (YYYY-MM-DD)') from None
    case = lc.open_case(
        svc,
        session.actor,
        subject_name=subject_name.strip(),
        birth_date=born,
        country_of_birth=country_of_birth.strip() or None,
        a_number_value=a_number.strip() or None,
    )
    return _back(request, case.id, note="Case opened.")


@router.get("/immigration/{case_id}")
def case_page(
    request: Request,
    session: PageSession,
    svc: Svc,
    case_id: CaseId,
    attempt: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    actor = session.actor
    file = lc.get_case(svc, actor, case_id)
    result = next((h for h in file.history if h.id == attempt), None)
    overridden = {(o.attempt_id, o.rule) for o in file.overrides}
    # Which forms this person may use, from the policy and the rules' own conditions.
    can = {action: lc.may_on_case(svc, actor, file, action) for action in ("execute", "update")}
    override_permissions = {
        (h.id, f["rule"]): lc.may_override(svc, actor, file, h, f["rule"])
        for h in file.history
        if h.outcome == "blocked"
        for f in h.findings
        if f["severity"] == "soft" and not f.get("overridden_by")
    }
    return render(
        request,
        "immigration_case.html",
        session,
        title=file.case.subject_name,
        file=file,
        result=result,
        actions=[(a, a.replace("_", " ").capitalize()) for a in REQUESTED_ACTIONS],
        overridden=overridden,
        can=can,
        override_permissions=override_permissions,
        status=lc.attempt_status(file),
    )


@router.post("/immigration/{case_id}/actions")
def request_action(
    request: Request,
    session: FormSession,
    svc: Svc,
    case_id: CaseId,
    action: Annotated[str, Form(max_length=64)],
) -> Response:
    if action not in REQUESTED_ACTIONS:
        raise ValueError(f"action: {action!r} is not one of {', '.join(REQUESTED_ACTIONS)}")
    result = lc.request_action(svc, session.actor, case_id, action)
    return _back(request, case_id, result.attempt_id)


@router.post("/immigration/{case_id}/removal")
def schedule_removal(
    request: Request,
    session: FormSession,
    svc: Svc,
    case_id: CaseId,
    country: Annotated[str, Form(max_length=64)],
    flight: Annotated[str, Form(max_length=64)] = "",
    days: Annotated[int, Form(ge=1, le=365)] = 2,
) -> Response:
    plan = lc.RemovalPlan(
        destination_country=country,
        scheduled_for=datetime.now(UTC) + timedelta(days=days),
        itinerary=[{"flight": flight}] if flight else [],
    )
    result = lc.plan_removal(svc, session.actor, case_id, plan)
    return _back(request, case_id, result.attempt_id)


@router.post("/immigration/{case_id}/removal/execute")
def execute_removal(
    request: Request,
    session: FormSession,
    svc: Svc,
    case_id: CaseId,
    confirmed: Annotated[str, Form(max_length=8)] = "",
) -> Response:
    if not confirm.confirmed(confirmed):
        return _confirm_removal(request, session, svc, case_id)
    result = lc.execute_removal(svc, session.actor, case_id)
    return _back(request, case_id, result.attempt_id)


def _confirm_removal(request: Request, session: SignedIn, svc: Svc, case_id: str) -> Response:
    """What executing the removal does, on which plan, and what the gates say about it now."""
    file = lc.get_case(svc, session.actor, case_id)
    plan = next((p for p in file.removal_plans if p["status"] == "scheduled"), None)
    if plan is None:
        raise ValueError(f"The removal of {file.case.subject_name} is not scheduled.")
    country = plain.country_name(plan["destination_country"])
    gates = lc.check_action(
        svc, session.actor, case_id, "execute_removal", destination_country=country
    )
    flights = ", ".join(
        str(leg.get("flight", "")) for leg in plan["itinerary"] if leg.get("flight")
    )
    stops = [f.title or f.rule for f in gates.findings if f.blocks] if gates.blocked else []
    c = file.case
    return confirm.confirmation(
        request,
        session,
        title=f"Execute the removal of {c.subject_name} to {country}?",
        consequences=[
            f"{c.subject_name} is recorded as removed to {country} now, and the case's state "
            "becomes removed.",
            "The booking in custody is closed: the detainee locator stops listing the person.",
            "Every gate rule is checked again at the moment you confirm; if one blocks, nothing "
            "is removed and the blocked attempt is recorded.",
        ]
        + ([f"The gates block it now: {', '.join(stops)}."] if stops else []),
        facts=[
            ("Person", f"{c.subject_name}, A-number {c.a_number or 'none on file'}"),
            ("Destination", country),
            ("Scheduled for", str(plan["scheduled_for"])[:16].replace("T", " ") + " UTC"),
            ("Flight", flights or "none recorded"),
            (
                "Custody",
                file.custody.status.replace("_", " ")
                + (f" at {file.custody.facility}" if file.custody.facility else ""),
            ),
        ],
        action=f"/immigration/{case_id}/removal/execute",
        fields=confirm.resent(request),
        button=f"Execute the removal to {country}",
        back=f"/immigration/{case_id}#actions",
    )


@router.post("/immigration/{case_id}/overrides")
def override(
    request: Request,
    session: FormSession,
    svc: Svc,
    case_id: CaseId,
    attempt: Annotated[int, Form(ge=1, le=2**62)],
    rule: Annotated[str, Form(max_length=128)],
    reason: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    # A refusal (same person, wrong role, no reason) comes back on the case page with the
    # reason that was typed, like any other input error.
    lc.override_gate(svc, session.actor, case_id, attempt, rule, reason)
    return _back(request, case_id, note=f"Override of {rule} recorded.")


@router.post("/immigration/{case_id}/custody")
def custody(
    request: Request,
    session: FormSession,
    svc: Svc,
    case_id: CaseId,
    step: Annotated[str, Form(pattern="^(book|transfer|release)$")],
    facility: Annotated[str, Form(max_length=64)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    if step == "book":
        result = lc.book_into_custody(svc, session.actor, case_id, facility)
    elif step == "transfer":
        result = lc.transfer_custody(svc, session.actor, case_id, facility)
    else:
        result = lc.release_from_custody(svc, session.actor, case_id, reason)
    return _back(request, case_id, result.attempt_id)


@router.get("/immigration/{case_id}/photo")
def photo(request: Request, session: PageSession, svc: Svc, case_id: CaseId) -> Response:
    """The photo of record, for an <img> on the case page and the field worklist; each read is
    audited. A photo whose content fails its hash check is not served."""
    files = lc.photo_files(request.app.state.photo_root)
    found, content = lc.photo_of_record(svc, session.actor, case_id, files)
    return Response(content, media_type=found.media_type, headers={"Cache-Control": "no-store"})


# -- the public detainee locator: no sign-in -----------------------------------------------


@router.get("/locator")
def locator(
    request: Request,
    a_number: Annotated[str, Query(max_length=32)] = "",
    name: Annotated[str, Query(max_length=200)] = "",
    birth_date: Annotated[str, Query(max_length=10)] = "",
    country: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    svc = request.app.state.services
    asked = bool(country and (a_number or name))
    answer = None
    error = ""
    if asked:
        try:
            answer = lc.locate_detainee(
                svc,
                request.client.host if request.client else "unknown",
                country_of_birth=country,
                a_number_value=a_number or None,
                name=name or None,
                birth_date=date.fromisoformat(birth_date) if birth_date else None,
            )
        except ValueError as problem:
            error = str(problem)
    return render(
        request,
        "locator.html",
        None,
        title="Find a person in immigration detention",
        asked=asked,
        answer=answer,
        error=error,
        form={"a_number": a_number, "name": name, "birth_date": birth_date, "country": country},
    )
