"""The condition language gate rules are written in: named predicates combined with all/any/not.

A condition in YAML is one of
- a bare predicate name (``final_order``),
- a one-key mapping ``{predicate: argument}`` (``{custody_is: [detained]}``),
- ``{all: [...]}``, ``{any: [...]}``, ``{not: condition}``.

Every predicate returns a Verdict: its value and a sentence saying why, so that a decision can
always say which facts made a rule fire. Conditions are parsed and checked once, when the rules are
loaded; evaluating one never raises on well-formed facts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from writ.lifecycle.clocks import ClockDefinition, clock_status
from writ.lifecycle.countries import country_code, country_name
from writ.lifecycle.documents import (
    DOCUMENT_TYPES,
    CitizenshipClaim,
    CounselAdvisal,
    Detainer,
    ImmigrationOrder,
    LegalDocument,
    PendingApplication,
    WarrantlessArrest,
    documents_of,
)
from writ.lifecycle.facts import Facts
from writ.lifecycle.finality import order_finality, stays_in_effect


class ConditionError(ValueError):
    """A condition that is not well formed: the message names the predicate and the argument."""


@dataclass(frozen=True)
class Verdict:
    value: bool
    reason: str


@dataclass(frozen=True)
class Environment:
    """What conditions may refer to by name: signer lists, action groups, clock definitions."""

    lists: Mapping[str, frozenset[str]] = field(default_factory=dict)
    action_groups: Mapping[str, frozenset[str]] = field(default_factory=dict)
    clocks: Mapping[str, ClockDefinition] = field(default_factory=dict)

    def names(self, value: Any) -> frozenset[str]:
        """A list given inline, or the name of a list in ``lists``."""
        if isinstance(value, str):
            if value not in self.lists:
                raise ConditionError(f"list {value!r} is not defined (known: {sorted(self.lists)})")
            return self.lists[value]
        return frozenset(str(v) for v in value)

    def actions(self, names: Sequence[str]) -> frozenset[str]:
        out: set[str] = set()
        for name in names:
            out |= self.action_groups.get(name, frozenset({name}))
        return frozenset(out)


class Condition:
    def evaluate(self, facts: Facts) -> Verdict:
        raise NotImplementedError


@dataclass(frozen=True)
class AllOf(Condition):
    parts: tuple[Condition, ...]

    def evaluate(self, facts: Facts) -> Verdict:
        verdicts = [p.evaluate(facts) for p in self.parts]
        failing = [v.reason for v in verdicts if not v.value]
        if failing:
            return Verdict(False, "; ".join(failing))
        return Verdict(True, "; ".join(v.reason for v in verdicts))


@dataclass(frozen=True)
class AnyOf(Condition):
    parts: tuple[Condition, ...]

    def evaluate(self, facts: Facts) -> Verdict:
        verdicts = [p.evaluate(facts) for p in self.parts]
        passing = [v.reason for v in verdicts if v.value]
        if passing:
            return Verdict(True, "; ".join(passing))
        return Verdict(False, "; ".join(v.reason for v in verdicts))


@dataclass(frozen=True)
class NotOf(Condition):
    part: Condition

    def evaluate(self, facts: Facts) -> Verdict:
        verdict = self.part.evaluate(facts)
        return Verdict(not verdict.value, verdict.reason)


Check = Callable[[Facts], Verdict]
Builder = Callable[[Any, Environment], Check]


@dataclass(frozen=True)
class PredicateCall(Condition):
    name: str
    check: Check

    def evaluate(self, facts: Facts) -> Verdict:
        return self.check(facts)


PREDICATES: dict[str, Builder] = {}


def predicate(name: str) -> Callable[[Builder], Builder]:
    def register(builder: Builder) -> Builder:
        PREDICATES[name] = builder
        return builder

    return register


def parse_condition(raw: Any, env: Environment) -> Condition:
    """Parse and check a condition once; errors name the predicate and what is wrong."""
    if isinstance(raw, str):
        return _call(raw, None, env)
    if not isinstance(raw, Mapping) or len(raw) != 1:
        raise ConditionError(f"condition {raw!r} must be a predicate name or a one-key mapping")
    ((key, value),) = raw.items()
    if key in {"all", "any"}:
        if not isinstance(value, list) or not value:
            raise ConditionError(f"{key}: needs a non-empty list of conditions")
        parts = tuple(parse_condition(v, env) for v in value)
        return AllOf(parts) if key == "all" else AnyOf(parts)
    if key == "not":
        return NotOf(parse_condition(value, env))
    return _call(str(key), value, env)


def _call(name: str, arg: Any, env: Environment) -> Condition:
    builder = PREDICATES.get(name)
    if builder is None:
        raise ConditionError(f"predicate {name!r} is not one of {sorted(PREDICATES)}")
    try:
        return PredicateCall(name, builder(arg, env))
    except ConditionError as exc:
        raise ConditionError(f"{name}: {exc}") from None


def _mapping(arg: Any, required: set[str], optional: set[str]) -> dict[str, Any]:
    if not isinstance(arg, Mapping):
        raise ConditionError(f"argument {arg!r} must be a mapping with {sorted(required)}")
    unknown = set(arg) - required - optional
    if unknown:
        raise ConditionError(f"unknown argument(s) {sorted(unknown)}")
    missing = required - set(arg)
    if missing:
        raise ConditionError(f"missing argument(s) {sorted(missing)}")
    return dict(arg)


def _no_arg(arg: Any) -> None:
    if arg not in (None, {}, True):
        raise ConditionError(f"takes no argument, got {arg!r}")


def _names(arg: Any) -> tuple[str, ...]:
    if isinstance(arg, str):
        return (arg,)
    if isinstance(arg, list) and arg and all(isinstance(a, str) for a in arg):
        return tuple(arg)
    raise ConditionError(f"argument {arg!r} must be a name or a list of names")


def _fact(facts: Facts, path: str) -> Any:
    value: Any = facts
    for part in path.split("."):
        value = getattr(value, part, None)
        if value is None:
            return None
    return value


FACT_ROOTS = ("case.", "action.", "custody.")


def _country_ref(raw: Any) -> Callable[[Facts], str | None]:
    """A country given literally (``SV``) or as a fact path (``action.destination_country``)."""
    if not isinstance(raw, str):
        raise ConditionError(f"country {raw!r} must be a code or a fact path")
    if raw.startswith(FACT_ROOTS):
        path = raw

        def from_facts(facts: Facts) -> str | None:
            value = _fact(facts, path)
            return country_code(value) if value else None

        return from_facts
    try:
        code = country_code(raw)
    except ValueError as exc:
        raise ConditionError(f"country {exc}") from None
    return lambda facts: code


# --- documents ------------------------------------------------------------------------------


def _title(kind: str) -> str:
    if kind == "final_order":
        return "final order"
    cls = DOCUMENT_TYPES.get(kind)
    return cls.title if cls is not None else kind


Anchor = Callable[[Facts], datetime | None]


def _anchor(raw: Any) -> Anchor:
    """``not_before``: a document kind (its first issue) or ``final_order`` (since when final)."""
    if raw == "final_order":

        def final_since(facts: Facts) -> datetime | None:
            finality = order_finality(facts.documents, facts.now)
            return finality.since if finality.final else None

        return final_since
    if not isinstance(raw, str):
        raise ConditionError(f"not_before {raw!r} must be a document kind or final_order")
    kind = raw

    def earliest(facts: Facts) -> datetime | None:
        docs = documents_of(facts.documents, kind)
        return docs[0].issued_at if docs else None

    return earliest


def _document_matcher(arg: Any, env: Environment, in_effect: bool) -> Check:
    spec = _mapping(arg, {"kind"}, {"signed_by", "not_before", "country", "where"})
    kinds = _names(spec["kind"])
    signers = env.names(spec["signed_by"]) if "signed_by" in spec else None
    anchor = _anchor(spec["not_before"]) if "not_before" in spec else None
    country = _country_ref(spec["country"]) if "country" in spec else None
    where = spec.get("where") or {}
    if not isinstance(where, Mapping):
        raise ConditionError(f"where {where!r} must be a mapping of field to value(s)")
    label = " or ".join(_title(k) for k in kinds)
    qualifier = "in effect" if in_effect else "on file"

    def check(facts: Facts) -> Verdict:
        wanted_country = country(facts) if country else None
        if country and wanted_country is None:
            return Verdict(False, f"no country given to check {label} against")
        after = anchor(facts) if anchor else None
        if anchor and after is None:
            return Verdict(
                False, f"no {_title(spec['not_before'])} on file for the {label} to follow"
            )
        rejected: list[str] = []
        for doc in facts.documents:
            if doc.kind not in kinds:
                continue
            problem = _document_problem(
                doc, facts.now, in_effect, signers, after, wanted_country, where
            )
            if problem is None:
                return Verdict(True, f"{doc.describe()} is {qualifier}")
            rejected.append(f"{doc.title} {doc.id} {problem}")
        where_country = f" for {country_name(wanted_country)}" if wanted_country else ""
        if rejected:
            return Verdict(
                False, f"no valid {label}{where_country} {qualifier}: " + "; ".join(rejected)
            )
        return Verdict(False, f"no {label}{where_country} {qualifier}")

    return check


def _document_problem(
    doc: LegalDocument,
    now: datetime,
    in_effect: bool,
    signers: frozenset[str] | None,
    after: datetime | None,
    country: str | None,
    where: Mapping[str, Any],
) -> str | None:
    if in_effect and not doc.in_effect(now):
        return "is not in effect"
    if signers is not None and doc.signer_role not in signers:
        return f"is signed by a {doc.signer_role}, not a role authorised to sign it"
    if after is not None and doc.issued_at < after:
        return f"was issued before the document it must follow ({after:%Y-%m-%d %H:%M})"
    if country is not None and getattr(doc, "country", None) != country:
        return f"is for {getattr(doc, 'country', 'no country')}"
    for name, expected in where.items():
        actual = getattr(doc, name, None)
        allowed = expected if isinstance(expected, list) else [expected]
        if actual not in allowed:
            return f"has {name} {actual!r}, not {expected!r}"
    return None


@predicate("has_document")
def _has_document(arg: Any, env: Environment) -> Check:
    return _document_matcher(arg, env, in_effect=False)


@predicate("document_in_effect")
def _document_in_effect(arg: Any, env: Environment) -> Check:
    return _document_matcher(arg, env, in_effect=True)


@predicate("final_order")
def _final_order(arg: Any, env: Environment) -> Check:
    _no_arg(arg)

    def check(facts: Facts) -> Verdict:
        finality = order_finality(facts.documents, facts.now)
        if finality.final:
            return Verdict(True, f"final order: {finality.basis}")
        return Verdict(False, f"no final order: {finality.basis}")

    return check


@predicate("stay_in_effect")
def _stay_in_effect(arg: Any, env: Environment) -> Check:
    _no_arg(arg)

    def check(facts: Facts) -> Verdict:
        stays = stays_in_effect(facts.documents, facts.now, facts.action.boarding_completed_at)
        if stays:
            return Verdict(
                True, "stay in effect: " + "; ".join(f"{s.basis} ({s.citation})" for s in stays)
            )
        return Verdict(False, "no stay in effect")

    return check


@predicate("country_barred")
def _country_barred(arg: Any, env: Environment) -> Check:
    spec = _mapping(arg, {"country"}, set())
    country = _country_ref(spec["country"])

    def check(facts: Facts) -> Verdict:
        code = country(facts)
        if code is None:
            return Verdict(False, "no destination country given")
        bars = [
            d
            for d in facts.documents
            if d.kind in {"withholding", "cat_deferral"}
            and getattr(d, "country", None) == code
            and d.in_effect(facts.now)
        ]
        if bars:
            return Verdict(
                True,
                f"removal to {country_name(code)} is barred by "
                + "; ".join(d.describe() for d in bars),
            )
        return Verdict(False, f"no withholding or CAT deferral for {country_name(code)}")

    return check


@predicate("country_designated")
def _country_designated(arg: Any, env: Environment) -> Check:
    spec = _mapping(arg, {"country"}, set())
    country = _country_ref(spec["country"])

    def check(facts: Facts) -> Verdict:
        code = country(facts)
        if code is None:
            return Verdict(False, "no destination country given")
        for doc in facts.documents:
            if not doc.in_effect(facts.now):
                continue
            if doc.kind == "country_designation" and getattr(doc, "country", None) == code:
                return Verdict(True, f"{country_name(code)} designated by {doc.describe()}")
            if isinstance(doc, ImmigrationOrder) and code in doc.designated_countries:
                return Verdict(True, f"{country_name(code)} designated in order {doc.id}")
        return Verdict(False, f"no recorded designation of {country_name(code)} as removal country")

    return check


# --- clocks ---------------------------------------------------------------------------------


@predicate("clock_set")
def _clock_set(arg: Any, env: Environment) -> Check:
    (name,) = _names(arg)

    def check(facts: Facts) -> Verdict:
        times = facts.clock(name)
        if times:
            return Verdict(True, f"{name} at {times[-1]:%Y-%m-%d %H:%M}")
        return Verdict(False, f"no {name} on file")

    return check


@predicate("elapsed_hours_gt")
def _elapsed_hours_gt(arg: Any, env: Environment) -> Check:
    spec = _mapping(arg, {"since", "hours"}, {"until"})
    since, until = str(spec["since"]), spec.get("until")
    hours = spec["hours"]
    if not isinstance(hours, int | float) or isinstance(hours, bool):
        raise ConditionError(f"hours {hours!r} is not a number")
    limit = timedelta(hours=float(hours))

    def check(facts: Facts) -> Verdict:
        starts = facts.clock(since)
        if not starts:
            return Verdict(False, f"no {since} on file")
        start = starts[-1]
        ends = [t for t in facts.clock(str(until)) if t >= start] if until else []
        end = ends[0] if ends else facts.now
        elapsed = end - start
        text = (
            f"{elapsed.total_seconds() / 3600:.1f} hours from {since} to {until if ends else 'now'}"
        )
        return Verdict(elapsed > limit, f"{text} (limit {hours} hours)")

    return check


@predicate("clock_overdue")
def _clock_overdue(arg: Any, env: Environment) -> Check:
    (clock_id,) = _names(arg)
    if clock_id not in env.clocks:
        raise ConditionError(f"clock {clock_id!r} is not defined (known: {sorted(env.clocks)})")
    definition = env.clocks[clock_id]

    def check(facts: Facts) -> Verdict:
        status = clock_status(definition, facts)
        if status is None:
            return Verdict(False, f"{definition.title}: clock not running")
        if status.overdue:
            return Verdict(
                True,
                f"{definition.title} was due {status.due_at:%Y-%m-%d %H:%M} "
                f"({definition.citation}) and is overdue",
            )
        if status.met_late():
            return Verdict(
                True,
                f"{definition.title} was due {status.due_at:%Y-%m-%d %H:%M} and was met late",
            )
        return Verdict(False, f"{definition.title} due {status.due_at:%Y-%m-%d %H:%M}: on time")

    return check


# --- people, custody, claims ----------------------------------------------------------------


@predicate("citizenship_claim_unresolved")
def _claim_unresolved(arg: Any, env: Environment) -> Check:
    _no_arg(arg)

    def check(facts: Facts) -> Verdict:
        open_claims = []
        for claim in documents_of(facts.documents, "citizenship_claim"):
            if not isinstance(claim, CitizenshipClaim) or claim.revoked_at is not None:
                continue
            if claim.state in {"open", "under_investigation"}:
                open_claims.append(f"claim {claim.id} is {claim.state.replace('_', ' ')}")
            elif not claim.properly_adjudicated():
                open_claims.append(
                    f"claim {claim.id} is marked {claim.state.replace('_', ' ')} without an "
                    "investigation, a legal sign-off and a second person's sign-off"
                )
        if open_claims:
            return Verdict(True, "US-citizenship claim unresolved: " + "; ".join(open_claims))
        return Verdict(False, "no unresolved US-citizenship claim")

    return check


@predicate("citizenship_is")
def _citizenship_is(arg: Any, env: Environment) -> Check:
    (value,) = _names(arg)

    def check(facts: Facts) -> Verdict:
        if facts.case.person.citizenship == value:
            return Verdict(True, f"citizenship on file: {value.replace('_', ' ')}")
        if value == "us_citizen":
            for claim in documents_of(facts.documents, "citizenship_claim"):
                if claim.state == "adjudicated_citizen" and claim.properly_adjudicated():
                    return Verdict(True, f"claim {claim.id} adjudicated: US citizen")
        return Verdict(
            False, f"citizenship on file: {facts.case.person.citizenship.replace('_', ' ')}"
        )

    return check


@predicate("custody_is")
def _custody_is(arg: Any, env: Environment) -> Check:
    statuses = _names(arg)

    def check(facts: Facts) -> Verdict:
        status = facts.custody.status
        return Verdict(status in statuses, f"custody status {status}")

    return check


@predicate("state_in")
def _state_in(arg: Any, env: Environment) -> Check:
    states = _names(arg)

    def check(facts: Facts) -> Verdict:
        state = facts.case.state
        return Verdict(state in states, f"case state {state.replace('_', ' ')}")

    return check


@predicate("action_in")
def _action_in(arg: Any, env: Environment) -> Check:
    actions = env.actions(_names(arg))

    def check(facts: Facts) -> Verdict:
        name = facts.action.name
        return Verdict(name in actions, f"action {name}")

    return check


@predicate("pending_application")
def _pending_application(arg: Any, env: Environment) -> Check:
    spec = _mapping(arg, {"kind"}, {"forum"})
    kinds = _names(spec["kind"])
    forum = spec.get("forum")

    def check(facts: Facts) -> Verdict:
        for app in documents_of(facts.documents, "application"):
            if not isinstance(app, PendingApplication) or app.application_kind not in kinds:
                continue
            if forum is not None and app.forum != forum:
                continue
            if app.pending(facts.now):
                where = "before the immigration court" if app.forum == "court" else "with USCIS"
                return Verdict(
                    True,
                    f"{app.application_kind} application {app.id} filed "
                    f"{app.issued_at:%Y-%m-%d} is pending {where}",
                )
        return Verdict(False, f"no pending {' or '.join(kinds)} application")

    return check


@predicate("warrantless_arrest_examined")
def _warrantless_examined(arg: Any, env: Environment) -> Check:
    _no_arg(arg)

    def check(facts: Facts) -> Verdict:
        records = documents_of(facts.documents, "warrantless_arrest")
        for rec in records:
            if isinstance(rec, WarrantlessArrest) and rec.examined_by_second_officer():
                return Verdict(
                    True,
                    f"warrantless arrest {rec.id} ({rec.basis}) examined by a second officer, "
                    f"{rec.examining_officer}",
                )
        if records:
            return Verdict(
                False, "warrantless-arrest record without an examination by a second officer"
            )
        return Verdict(False, "no warrantless-arrest record")

    return check


@predicate("arrest_was_warrantless")
def _arrest_warrantless(arg: Any, env: Environment) -> Check:
    _no_arg(arg)

    def check(facts: Facts) -> Verdict:
        records = documents_of(facts.documents, "warrantless_arrest")
        if records:
            return Verdict(True, f"arrested without a warrant ({records[-1].id})")
        return Verdict(False, "no warrantless arrest on file")

    return check


@predicate("advisal_complete")
def _advisal_complete(arg: Any, env: Environment) -> Check:
    _no_arg(arg)

    def check(facts: Facts) -> Verdict:
        advisals = [
            a for a in documents_of(facts.documents, "advisal") if isinstance(a, CounselAdvisal)
        ]
        for advisal in advisals:
            if advisal.complete():
                return Verdict(True, f"advisal {advisal.id} recorded in full")
        if advisals:
            return Verdict(
                False,
                "advisal on file lacks the reasons for arrest, the right to counsel or the "
                "legal-services list",
            )
        return Verdict(False, "no advisal of rights on file")

    return check


@predicate("detainer_basis_only")
def _detainer_basis_only(arg: Any, env: Environment) -> Check:
    weak = frozenset(_names(arg))

    def check(facts: Facts) -> Verdict:
        for det in documents_of(facts.documents, "i247a"):
            if isinstance(det, Detainer) and det.in_effect(facts.now):
                bases = set(det.probable_cause)
                if bases and bases <= weak:
                    return Verdict(
                        True,
                        f"detainer {det.id} rests only on {', '.join(sorted(bases))}",
                    )
        return Verdict(False, "no detainer in effect resting only on " + ", ".join(sorted(weak)))

    return check


@predicate("detainer_served")
def _detainer_served(arg: Any, env: Environment) -> Check:
    _no_arg(arg)

    def check(facts: Facts) -> Verdict:
        detainers = [
            d
            for d in documents_of(facts.documents, "i247a")
            if isinstance(d, Detainer) and d.in_effect(facts.now)
        ]
        unserved = [d.id for d in detainers if d.served_at is None]
        if unserved:
            return Verdict(False, f"no copy of detainer {', '.join(unserved)} served on the person")
        return Verdict(True, "every detainer in effect was served on the person")

    return check


@predicate("operation_flag")
def _operation_flag(arg: Any, env: Environment) -> Check:
    (flag,) = _names(arg)

    def check(facts: Facts) -> Verdict:
        op = facts.action.operation
        if op is None:
            return Verdict(False, "not part of an operation")
        value = bool(getattr(op, flag, False))
        return Verdict(value, f"operation {op.id} {flag.replace('_', ' ')}: {value}")

    return check


@predicate("operation_approved_by_role")
def _operation_approved(arg: Any, env: Environment) -> Check:
    roles = frozenset(_names(arg))

    def check(facts: Facts) -> Verdict:
        op = facts.action.operation
        if op is None:
            return Verdict(False, "not part of an operation")
        if op.approved_by and op.approver_roles & roles:
            return Verdict(True, f"operation {op.id} approved by {op.approved_by}")
        return Verdict(
            False, f"operation {op.id} has no approval by a {' or '.join(sorted(roles))}"
        )

    return check


@predicate("family_unaccounted")
def _family_unaccounted(arg: Any, env: Environment) -> Check:
    _no_arg(arg)

    def check(facts: Facts) -> Verdict:
        missing = [f for f in facts.case.family if not f.accounted_for()]
        if missing:
            names = ", ".join(
                f"{f.relation} {f.name}" + (" (minor)" if f.minor else "") for f in missing
            )
            return Verdict(
                True, f"family members on file with no linked case or whereabouts: {names}"
            )
        if facts.case.family:
            return Verdict(False, f"all {len(facts.case.family)} family links accounted for")
        return Verdict(False, "no family members on file")

    return check


@predicate("subject_minor")
def _subject_minor(arg: Any, env: Environment) -> Check:
    _no_arg(arg)

    def check(facts: Facts) -> Verdict:
        minor = facts.case.person.is_minor(facts.now.date())
        return Verdict(
            minor, "person is a minor or of unknown age" if minor else "person is an adult"
        )

    return check


@predicate("fact_equals")
def _fact_equals(arg: Any, env: Environment) -> Check:
    spec = _mapping(arg, {"path", "value"}, set())
    path = str(spec["path"])
    if not path.startswith(FACT_ROOTS):
        raise ConditionError(f"path {path!r} must start with one of {FACT_ROOTS}")
    expected = spec["value"]

    def check(facts: Facts) -> Verdict:
        actual = _fact(facts, path)
        return Verdict(actual == expected, f"{path} is {actual!r}")

    return check


def _detainers_in_effect(facts: Facts) -> list[Detainer]:
    return [
        d
        for d in documents_of(facts.documents, "i247a")
        if isinstance(d, Detainer) and d.in_effect(facts.now)
    ]


@predicate("detainer_has_probable_cause")
def _detainer_probable_cause(arg: Any, env: Environment) -> Check:
    _no_arg(arg)

    def check(facts: Facts) -> Verdict:
        detainers = _detainers_in_effect(facts)
        if not detainers:
            return Verdict(False, "no I-247A detainer in effect")
        missing = [d.id for d in detainers if not d.probable_cause]
        if missing:
            return Verdict(False, f"detainer {', '.join(missing)} states no probable-cause basis")
        return Verdict(True, "every detainer in effect states a probable-cause basis")

    return check


@predicate("detainer_warrant_attached")
def _detainer_warrant_attached(arg: Any, env: Environment) -> Check:
    """Each detainer in effect has an attached I-200 or I-205 in effect, signed by a listed role:
    the argument maps a warrant kind to the signer list that may sign it."""
    if not isinstance(arg, Mapping) or not arg:
        raise ConditionError("argument must map warrant kinds to signer lists")
    signers = {str(kind): env.names(names) for kind, names in arg.items()}

    def check(facts: Facts) -> Verdict:
        detainers = _detainers_in_effect(facts)
        if not detainers:
            return Verdict(False, "no I-247A detainer in effect")
        by_id = {d.id: d for d in facts.documents}
        problems = []
        for det in detainers:
            attached = [by_id[a] for a in det.attachments if a in by_id]
            valid = [
                w
                for w in attached
                if w.kind in signers and w.in_effect(facts.now) and w.signer_role in signers[w.kind]
            ]
            if not valid:
                problems.append(
                    f"detainer {det.id} has no attached {' or '.join(sorted(signers))} in effect "
                    "signed by an authorised official"
                )
        if problems:
            return Verdict(False, "; ".join(problems))
        return Verdict(True, "each detainer in effect has a valid warrant attached")

    return check
