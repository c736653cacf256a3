"""When a removal order is final (8 CFR 1241.1), and which stays are in effect (8 CFR 1003.6).

Both are worked out from the documents on file at a moment, never stored: a later appeal, remand or
stay changes the answer without anyone having to remember to update a field.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from writ.lifecycle.documents import (
    Appeal,
    ImmigrationOrder,
    LegalDocument,
    PendingApplication,
    Stay,
    documents_of,
)


@dataclass(frozen=True)
class Finality:
    """Whether the case has a final removal order, since when, and the paragraph that says so."""

    final: bool
    basis: str
    since: datetime | None = None
    order_id: str | None = None


@dataclass(frozen=True)
class StayInEffect:
    """A stay that bars execution now: explicit (a stay on file) or automatic (derived)."""

    stay_kind: str
    basis: str
    citation: str
    document_id: str | None = None


def _orders(documents: Sequence[LegalDocument], at: datetime) -> list[ImmigrationOrder]:
    """Orders entered by ``at`` and not vacated by then, oldest first."""
    return [
        o
        for o in documents_of(tuple(documents), "order")
        if o.issued_at <= at and (o.revoked_at is None or at < o.revoked_at)
    ]


def _appeals_after(
    documents: Sequence[LegalDocument], order: ImmigrationOrder, at: datetime
) -> list[Appeal]:
    return [
        a
        for a in documents_of(tuple(documents), "appeal")
        if order.issued_at <= a.issued_at <= at and a.order_id in (None, order.id)
    ]


def order_finality(documents: Sequence[LegalDocument], at: datetime) -> Finality:
    """Finality of the latest removal order on file at ``at``, per 8 CFR 1241.1 (a)-(f)."""
    orders = _orders(documents, at)
    if not orders:
        return Finality(False, "no immigration order on file")
    latest = orders[-1]
    if latest.court == "BIA":
        return _bia_finality(latest, orders[:-1])
    return _ij_finality(documents, latest, at)


def _bia_finality(order: ImmigrationOrder, earlier: list[ImmigrationOrder]) -> Finality:
    if order.disposition == "removal":
        return Finality(
            True, "the BIA ordered removal (8 CFR 1241.1(a))", order.issued_at, order.id
        )
    if order.disposition == "appeal_dismissed":
        ij = next((o for o in reversed(earlier) if o.court == "IJ"), None)
        if ij is not None and ij.orders_removal():
            return Finality(
                True,
                f"the BIA dismissed the appeal of removal order {ij.id} (8 CFR 1241.1(a))",
                order.issued_at,
                ij.id,
            )
        return Finality(False, f"BIA order {order.id} dismissed an appeal of no removal order")
    return Finality(False, f"the latest order, BIA {order.id}, is {order.disposition}")


def _ij_finality(
    documents: Sequence[LegalDocument], order: ImmigrationOrder, at: datetime
) -> Finality:
    if not order.orders_removal():
        return Finality(False, f"the latest order, IJ {order.id}, is {order.disposition}")
    if order.in_absentia:
        return Finality(
            True, "removal ordered in absentia (8 CFR 1241.1(e))", order.issued_at, order.id
        )
    if order.appeal_waived:
        return Finality(True, "appeal waived (8 CFR 1241.1(b))", order.issued_at, order.id)
    if order.certified_to_bia:
        return Finality(
            False, f"order {order.id} is certified to the BIA (8 CFR 1241.1(d)): not yet final"
        )
    appeals = _appeals_after(documents, order, at)
    pending = [a for a in appeals if a.revoked_at is None or a.revoked_at > at]
    if pending:
        return Finality(False, f"appeal {pending[0].id} to the BIA is pending")
    if appeals:
        withdrawn = max(a.revoked_at for a in appeals if a.revoked_at is not None)
        return Finality(
            True, "the appeal was withdrawn (8 CFR 1003.4; 1241.1)", withdrawn, order.id
        )
    if order.disposition == "removal_alternate_voluntary_departure":
        until = order.voluntary_departure_until
        if until is not None and at >= until:
            return Finality(
                True, "voluntary departure overstayed (8 CFR 1241.1(f))", until, order.id
            )
        return Finality(False, f"order {order.id} grants voluntary departure, not overstayed")
    deadline = order.appeal_deadline()
    if at >= deadline:
        return Finality(
            True, "the time to appeal expired with no appeal (8 CFR 1241.1(c))", deadline, order.id
        )
    return Finality(
        False, f"the time to appeal order {order.id} runs until {deadline:%Y-%m-%d %H:%M}"
    )


def stays_in_effect(
    documents: Sequence[LegalDocument],
    at: datetime,
    boarding_completed_at: datetime | None = None,
) -> list[StayInEffect]:
    """Every stay barring removal at ``at``, explicit and automatic.

    A stay first communicated after boarding was complete has no effect on that removal
    (8 CFR 1003.6; 8 CFR 241.6), so it is left out when ``boarding_completed_at`` is given.
    """
    found: list[StayInEffect] = []
    for stay in documents_of(tuple(documents), "stay"):
        if not isinstance(stay, Stay) or not stay.in_effect(at):
            continue
        if boarding_completed_at is not None and stay.communicated() > boarding_completed_at:
            continue
        found.append(
            StayInEffect(
                stay.stay_kind,
                f"{stay.stay_kind.replace('_', '-')} stay {stay.id} by {stay.issuer}",
                "8 CFR 1003.6; 8 CFR 241.6",
                stay.id,
            )
        )
    found.extend(_automatic_stays(documents, at))
    return found


def _automatic_stays(documents: Sequence[LegalDocument], at: datetime) -> list[StayInEffect]:
    stays: list[StayInEffect] = []
    orders = _orders(documents, at)
    latest = orders[-1] if orders else None
    if latest is not None and latest.court == "IJ" and latest.orders_removal():
        if latest.certified_to_bia:
            stays.append(
                StayInEffect(
                    "automatic", f"order {latest.id} is certified to the BIA", "8 CFR 1003.6(a)"
                )
            )
        elif not (latest.in_absentia or latest.appeal_waived):
            appeals = _appeals_after(documents, latest, at)
            if any(a.revoked_at is None or a.revoked_at > at for a in appeals):
                stays.append(
                    StayInEffect(
                        "automatic", f"appeal of order {latest.id} is pending", "8 CFR 1003.6(a)"
                    )
                )
            elif not appeals and at < latest.appeal_deadline():
                stays.append(
                    StayInEffect(
                        "automatic",
                        f"the appeal period for order {latest.id} is running",
                        "8 CFR 1003.6(a)",
                    )
                )
    for app in documents_of(tuple(documents), "application"):
        if (
            isinstance(app, PendingApplication)
            and app.application_kind == "motion_to_reopen_in_absentia"
            and app.pending(at)
        ):
            stays.append(
                StayInEffect(
                    "automatic",
                    f"motion {app.id} to reopen an in-absentia order is pending",
                    "8 CFR 1003.23(b)(4)(ii)",
                    app.id,
                )
            )
    return stays
