# SPDX-License-Identifier: Apache-2.0
"""Running a case: each due step proposes an attempt, the policy engine decides, and an allowed
attempt is recorded with its decision and audit entry in one transaction before it is sent.

Every method is one unit of work and idempotent, so a durable runtime may run any of them twice:
an attempt's idempotency key (case, step, contact point) makes a repeated step find the attempt it
already recorded, and dispatch sends only attempts still queued.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import cast

from rightparty.domain.attempt import Attempt, AttemptHistoryEntry, AttemptStatus
from rightparty.domain.case import Case
from rightparty.domain.clock import Clock
from rightparty.domain.customer import Customer
from rightparty.domain.messages import OutboundMessage
from rightparty.domain.vocabulary import Channel, Outcome
from rightparty.policy.engine import Policy
from rightparty.policy.facts import ContactRequest
from rightparty.usecases.customers import IdFactory, random_id
from rightparty.usecases.orchestration.clearance import clear_for_sending
from rightparty.usecases.orchestration.closing import ACTOR, close_unreachable
from rightparty.usecases.orchestration.facts import customer_facts
from rightparty.usecases.orchestration.outbound import candidate_points, message_for
from rightparty.usecases.orchestration.outcomes import apply_outcome, settle_unknown_fate
from rightparty.usecases.orchestration.policies import policy_for_jurisdiction
from rightparty.usecases.orchestration.recording import (
    DecisionDocument,
    DocumentMemo,
    attempt_key,
    decision_document,
)
from rightparty.usecases.orchestration.reference_codes import new_reference_code
from rightparty.usecases.orchestration.send_results import (
    SentMessage,
    claim_queued,
    record_sends,
)
from rightparty.usecases.orchestration.sending import send_all
from rightparty.usecases.orchestration.steps import DueRound, StepReport, StepResult
from rightparty.usecases.plans.catalogue import PlanCatalogue, default_plans
from rightparty.usecases.ports import (
    ChannelAwareGateway,
    ChannelGateway,
    DeduplicatingGateway,
    UnitOfWork,
)

UnitOfWorkFactory = Callable[[], UnitOfWork]
PolicyResolver = Callable[[str], Policy]
_DOCUMENTS_KEPT = 4096


@dataclass(frozen=True, slots=True)
class _Chunk:
    """What the steps of one chunk share: its unit of work and instant, whether attempts are
    recorded claimed, and the documents of the decisions made so far."""

    uow: UnitOfWork
    now: datetime
    claim: bool
    documents: DocumentMemo


@dataclass
class CaseWorker:
    unit_of_work: UnitOfWorkFactory
    clock: Clock
    gateway: ChannelGateway
    plans: PlanCatalogue = field(default_factory=default_plans)
    policy_for: PolicyResolver = policy_for_jurisdiction
    new_id: IdFactory = random_id
    new_code: Callable[[], str] = new_reference_code
    _documents: DocumentMemo = field(default_factory=dict, init=False, repr=False)
    """Documents of the decisions made so far, kept across chunks: an allowed decision carries
    no instant, so the same few recur all day (`decision_document`)."""

    def run_step(self, case_id: str) -> StepReport:
        """Act on a due case: record one allowed attempt, wait, move on, or close it."""
        return self.run_steps([case_id])[0]

    def run_steps(self, case_ids: Sequence[str], *, claim: bool = False) -> list[StepReport]:
        """`run_step` for a chunk of cases in one transaction (DESIGN.md §5: work is planned and
        dispatched in chunks): all of the chunk's attempts and decisions commit together.

        With `claim`, the attempts are recorded already `dispatching`, to be sent at once with
        `send_claimed`: what `dispatch_many` would do for messages decided this very instant,
        one transaction sooner."""
        with self.unit_of_work() as uow:
            cases = uow.cases.get_many(case_ids)
            chunk = [cases[case_id] for case_id in case_ids]
            reports = self._run_chunk(chunk, uow, self.clock.now(), claim=claim)
            uow.commit()
        return reports

    def run_due(self, limit: int, *, claim: bool = False) -> list[StepReport]:
        """`run_steps` for the (at most `limit`) cases due now, found in the same transaction;
        an empty list when none is. A case whose step moved it on to a step due at once (its
        points blocked for good, or none on the step's channel) takes that step too, in the same
        transaction: one report per step taken, in order."""
        return self.record_and_run_due((), limit, claim=claim).reports

    def record_and_run_due(
        self, answers: Sequence[SentMessage], limit: int, *, claim: bool = False
    ) -> DueRound:
        """The answers of sends made since the last transaction recorded (as `send_claimed`
        records them), then `run_due`, in one transaction.

        For a runtime that sends between rounds (the simulated one): the cases the answers move
        on are due in the same round, and their customers are read once for both. A crash before
        the commit leaves those attempts `dispatching`, as a crash between sending and
        `send_claimed` would (ADR 0004)."""
        with self.unit_of_work() as uow:
            now = self.clock.now()
            outcomes = record_sends(answers, uow, now, plans=self.plans, new_id=self.new_id)
            due = uow.cases.due(now, limit)
            reports = self._run_chunk(due, uow, now, claim=claim, until_settled=True)
            upcoming = uow.cases.next_action_at()
            uow.commit()
        return DueRound(outcomes, reports, upcoming)

    def send(self, messages: Sequence[OutboundMessage]) -> list[SentMessage]:
        """Send messages of attempts already claimed, without recording the answers: for
        `record_and_run_due`."""
        return list(zip(messages, send_all(self.gateway, messages), strict=True))

    def _run_chunk(
        self,
        cases: Sequence[Case],
        uow: UnitOfWork,
        now: datetime,
        *,
        claim: bool,
        until_settled: bool = False,
    ) -> list[StepReport]:
        due = [case for case in cases if _is_due(case, now)]
        # Read together; a later case of the same customer in this chunk sees the attempt an
        # earlier one recorded, because `_step` adds it to the history it shares.
        owners = {case.customer_id for case in due}
        customers = uow.customers.get_many(owners)
        histories = uow.attempts.histories(owners)
        # Each attempt encrypts its reference code: the keys' nonces reserved together.
        uow.prepare_customers(owners)
        # Most allowed decisions are one of a few shared decisions: their JSON is made once.
        if len(self._documents) > _DOCUMENTS_KEPT:
            self._documents.clear()
        chunk = _Chunk(uow, now, claim, documents=self._documents)
        reports: list[StepReport] = []
        for case in cases:
            if case.status.closed:
                reports.append(StepReport(StepResult.CLOSED))
            elif not _is_due(case, now):
                reports.append(StepReport(StepResult.NOT_DUE))
            else:
                owner = case.customer_id
                while True:
                    report = self._step(case, customers[owner], histories[owner], chunk)
                    reports.append(report)
                    # A step that moved the case on left it due now (`Case.advance_step`).
                    if not (until_settled and report.result is StepResult.ADVANCED):
                        break
        return reports

    def _step(
        self,
        case: Case,
        customer: Customer,
        attempts: list[AttemptHistoryEntry],
        chunk: _Chunk,
    ) -> StepReport:
        uow, now, claim, documents = chunk.uow, chunk.now, chunk.claim, chunk.documents
        case_attempts = [attempt for attempt in attempts if attempt.case_id == case.id]
        step = self.plans.for_purpose(case.purpose).step(case.step_index)
        if step is None or now >= case.deadline:
            close_unreachable(
                case, customer, case_attempts, uow, now, plans=self.plans, new_id=self.new_id
            )
            return StepReport(StepResult.UNREACHABLE)
        if not self._served(step.channel):
            case.advance_step(now)
            uow.cases.save(case)
            uow.audit.record(
                "case.step_skipped",
                ACTOR,
                case.id,
                {"channel": step.channel.value, "cause": "no_provider"},
                now,
            )
            return StepReport(StepResult.ADVANCED)
        tried = {attempt.idempotency_key for attempt in case_attempts}
        candidates = [
            point
            for point in candidate_points(case, customer, step.channel)
            if attempt_key(case, point.id) not in tried
        ]
        policy = self.policy_for(customer.jurisdiction)
        facts = customer_facts(customer, attempts)
        waits: list[datetime] = []
        codes: list[str] = []
        for point in candidates:
            request = ContactRequest(step.channel, point.id, case.purpose, debt_id=case.debt_id)
            decision = policy.evaluate(facts, request, now)
            if decision.allowed:
                attempt = self._record(
                    case,
                    customer,
                    point.id,
                    decision_document(decision, documents),
                    uow,
                    now=now,
                    claim=claim,
                )
                attempts.append(attempt.history_entry())
                case.wait_until(now + step.wait)
                uow.cases.save(case)
                message = message_for(attempt, customer)
                return StepReport(StepResult.ATTEMPT_RECORDED, attempt.id, tuple(codes), message)
            self._record_block(case, point.id, decision_document(decision, documents), uow, now)
            codes.extend(reason.code for reason in decision.reasons)
            if decision.next_allowed_at is not None and decision.next_allowed_at < case.deadline:
                waits.append(decision.next_allowed_at)
        if waits:
            case.wait_until(min(waits))
            uow.cases.save(case)
            return StepReport(StepResult.WAITING, blocked_codes=tuple(codes))
        case.advance_step(now)
        uow.cases.save(case)
        return StepReport(StepResult.ADVANCED, blocked_codes=tuple(codes))

    def _record(
        self,
        case: Case,
        customer: Customer,
        point_id: str,
        decision: DecisionDocument,
        uow: UnitOfWork,
        *,
        now: datetime,
        claim: bool,
    ) -> Attempt:
        """Record an allowed attempt with its decision (its document and canonical form)."""
        point = customer.contact_point(point_id)
        attempt = Attempt(
            id=self.new_id(),
            case_id=case.id,
            customer_id=customer.id,
            contact_point_id=point.id,
            channel=point.channel,
            purpose=case.purpose,
            idempotency_key=attempt_key(case, point.id),
            reference_code=self.new_code(),
            created_at=now,
            debt_id=case.debt_id,
        )
        if claim:
            attempt.mark_dispatching()
        uow.attempts.add(attempt)
        document, canonical = decision
        uow.decisions.add(case.id, attempt.id, document, now)
        uow.audit.record(
            "attempt.recorded",
            ACTOR,
            attempt.id,
            {
                "case_id": case.id,
                "customer_id": customer.id,
                "contact_point_id": point.id,
                "channel": point.channel.value,
                "purpose": case.purpose.value,
                "decision": canonical,
            },
            now,
        )
        return attempt

    def _record_block(
        self,
        case: Case,
        point_id: str,
        decision: DecisionDocument,
        uow: UnitOfWork,
        now: datetime,
    ) -> None:
        document, canonical = decision
        uow.decisions.add(case.id, None, document, now)
        uow.audit.record(
            "decision.blocked",
            ACTOR,
            case.id,
            {"contact_point_id": point_id, "decision": canonical},
            now,
        )

    def dispatch(self, attempt_id: str, prepared: OutboundMessage | None = None) -> Outcome | None:
        """Send a queued attempt; returns the outcome when the provider already knows it.

        `prepared` is the message `run_step` rendered when it recorded the attempt, which saves
        reading it back; a runtime resuming after a crash passes nothing and the attempt's state
        decides. Either way the provider sees one idempotency key per attempt. An attempt a
        crash left `dispatching` is asked for again only through a gateway whose providers
        honour the key; through any other its fate is unknown and it is settled as such
        (`settle_unknown_fate`), never sent twice.
        """
        if prepared is not None:
            return self.dispatch_many([prepared])[0]
        with self.unit_of_work() as uow:
            attempt = uow.attempts.get(attempt_id)
            if attempt.status is AttemptStatus.DISPATCHING and not self._resend_is_safe(attempt):
                outcome = settle_unknown_fate(
                    attempt, uow, self.clock.now(), plans=self.plans, new_id=self.new_id
                )
                uow.commit()
                return outcome
            if attempt.status not in (AttemptStatus.QUEUED, AttemptStatus.DISPATCHING):
                return None
            message = message_for(attempt, uow.customers.get(attempt.customer_id))
        if attempt.status is AttemptStatus.DISPATCHING:
            # Decided and perhaps delivered before the crash: the provider answers for the key.
            return self._send_and_record([message])[0]
        return self.dispatch_many([message])[0]

    def dispatch_many(
        self, messages: Sequence[OutboundMessage], *, decided_at: datetime | None = None
    ) -> list[Outcome | None]:
        """Send rendered messages of queued attempts, then record every answer in one
        transaction; an attempt found no longer queued keeps what it has.

        Unless the messages were decided at this very instant (`decided_at`, the simulated
        runtime's same-instant hand-over), each is decided again first (`clearance`), and one
        that no longer passes is withdrawn instead of sent. Those that go are marked
        `dispatching` and committed before the first provider call.
        """
        with self.unit_of_work() as uow:
            now = self.clock.now()
            to_send = list(messages)
            if decided_at is None or decided_at != now:
                to_send = clear_for_sending(to_send, uow, now, self.policy_for)
            to_send = claim_queued(to_send, uow)
            uow.commit()
        sent = self._send_and_record(to_send)
        outcomes = dict(zip((m.attempt_id for m in to_send), sent, strict=True))
        return [outcomes.get(message.attempt_id) for message in messages]

    def send_claimed(self, messages: Sequence[OutboundMessage]) -> list[Outcome | None]:
        """Send the messages of attempts `run_steps(..., claim=True)` recorded, and record every
        answer in one transaction."""
        return self._send_and_record(messages)

    def _send_and_record(self, messages: Sequence[OutboundMessage]) -> list[Outcome | None]:
        results = self.send(messages)
        now = self.clock.now()
        with self.unit_of_work() as uow:
            outcomes = record_sends(results, uow, now, plans=self.plans, new_id=self.new_id)
            uow.commit()
        return outcomes

    def _served(self, channel: Channel) -> bool:
        gateway = self.gateway
        if not _channel_aware(type(gateway)):
            return True
        return cast(ChannelAwareGateway, gateway).serves(channel)

    def _resend_is_safe(self, attempt: Attempt) -> bool:
        gateway = self.gateway
        return isinstance(gateway, DeduplicatingGateway) and gateway.deduplicates(attempt.channel)

    def record_outcome(self, attempt_id: str, outcome: Outcome, at: datetime) -> bool:
        """Fold a later outcome (status callback, bounce) in; False when it was already final."""
        with self.unit_of_work() as uow:
            attempt = uow.attempts.get(attempt_id)
            if attempt.final:
                return False
            apply_outcome(attempt, outcome, at, uow, plans=self.plans, new_id=self.new_id)
            uow.commit()
        return True


@cache
def _channel_aware(kind: type) -> bool:
    """Whether a gateway class says which channels it serves: asked once per class, since an
    `isinstance` check against a runtime protocol inspects the class anew each time (several
    µs, on every step)."""
    return issubclass(kind, ChannelAwareGateway)


def _is_due(case: Case, now: datetime) -> bool:
    return not case.status.closed and (case.next_action_at is None or case.next_action_at <= now)
