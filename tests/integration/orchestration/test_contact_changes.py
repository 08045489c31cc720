# SPDX-License-Identifier: Apache-2.0
"""A change of contact details is told on the old and on the new point (issue 6)."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import text

from rightparty.audit.events import canonical_payload, payload_digest
from rightparty.bootstrap import sandbox_gateway
from rightparty.domain.case import CaseStatus
from rightparty.domain.errors import ContactPointNotFound, CustomerNotFound
from rightparty.domain.vocabulary import (
    Channel,
    ContactPointKind,
    ContactPointStatus,
    ContactSource,
    Purpose,
)
from rightparty.runtime.simulation import SimulatedRuntime
from rightparty.usecases.contact_changes import (
    ChangeContactPoint,
    ChangeRefusal,
    ContactChangeRefused,
    change_contact_point,
)
from rightparty.usecases.orchestration.cases import OpenCase, open_case
from tests.builders import AFTERNOON_IN_NEW_YORK, NEW_YORK, a_us_customer, a_us_point

pytestmark = pytest.mark.integration


def _change(customer_id, address, *, replaces="m1", channel=Channel.SMS):
    return ChangeContactPoint(
        customer_id=customer_id,
        channel=channel,
        address=address,
        source=ContactSource.CUSTOMER_PROVIDED,
        actor="staff:test",
        replaces=replaces,
    )


@pytest.fixture
def bank(app, clock):
    clock.advance_to(AFTERNOON_IN_NEW_YORK)
    gateway = sandbox_gateway(clock)
    runtime = SimulatedRuntime(app.unit_of_work, app.case_worker(gateway), clock)

    class Bank:
        def add(self, customer):
            with app.unit_of_work() as uow:
                uow.customers.add(customer)
                uow.commit()

        def run(self, days):
            runtime.run_until(clock.now() + timedelta(days=days))

        def attempts(self, customer_id):
            with app.unit_of_work() as uow:
                return uow.attempts.for_customer(customer_id)

        def case(self, case_id):
            with app.unit_of_work() as uow:
                return uow.cases.get(case_id)

        def customer(self, customer_id):
            with app.unit_of_work() as uow:
                return uow.customers.get(customer_id)

    return Bank()


def _snapshot(app):
    """Everything a refused change must leave as it was."""
    with app.session_factory() as session:
        return {
            "points": session.execute(
                text(
                    "SELECT id, status, superseded_at, address_bidx FROM contact_points ORDER BY id"
                )
            ).all(),
            "cases": session.execute(text("SELECT id FROM cases ORDER BY id")).all(),
            "audit": session.execute(text("SELECT count(*) FROM audit_entries")).scalar_one(),
            "customers": session.execute(text("SELECT id, updated_at FROM customers")).all(),
        }


def test_a_changed_number_is_told_on_the_old_and_on_the_new_point(app, bank, clock):
    bank.add(
        a_us_customer(
            "c1",
            a_us_point("m1", Channel.SMS, "+12125550100"),
            a_us_point(
                "e1",
                Channel.EMAIL,
                "delivered@sandbox.rightparty.test",
                kind=ContactPointKind.PERSONAL,
            ),
        )
    )
    change = change_contact_point(_change("c1", "(212) 555-0106"), app.unit_of_work(), clock)
    bank.run(days=2)

    old_case, new_case = (bank.case(case_id) for case_id in change.notice_case_ids)
    assert change.notified_old == ("m1",)
    assert (old_case.contact_point_ids, new_case.contact_point_ids) == (
        ("m1",),
        (change.contact_point_id,),
    )
    assert {old_case.purpose, new_case.purpose} == {Purpose.ACCOUNT_NOTICE}
    assert (old_case.status, new_case.status) == (CaseStatus.REACHED, CaseStatus.REACHED)
    sent = {(a.case_id, a.contact_point_id, a.outcome.value) for a in bank.attempts("c1")}
    assert sent == {
        (old_case.id, "m1", "delivered"),
        (new_case.id, change.contact_point_id, "delivered"),
    }
    customer = bank.customer("c1")
    old, new = customer.contact_point("m1"), customer.contact_point(change.contact_point_id)
    assert old.superseded_at == AFTERNOON_IN_NEW_YORK
    assert not old.addressable
    assert old.status is ContactPointStatus.VALID  # what is known about the address itself
    assert (new.address, new.channel, new.time_zones) == ("+12125550106", Channel.SMS, NEW_YORK)
    assert new.addressable
    assert app.verify_audit_log().ok


def test_the_old_point_is_never_used_by_a_regular_case_afterwards(app, bank, clock):
    # The new number never answers (SMS undelivered): a regular case keeps looking for another
    # point on the channel, and the old one, which would deliver, must not be it.
    bank.add(a_us_customer("c2", a_us_point("m1", Channel.SMS, "+12125550100")))
    change = change_contact_point(_change("c2", "+12125550101"), app.unit_of_work(), clock)
    bank.run(days=1)
    open_case(OpenCase("c2", Purpose.PAYMENT_REMINDER, "staff:test"), app.unit_of_work(), clock)
    bank.run(days=10)

    notices = set(change.notice_case_ids)
    attempts = bank.attempts("c2")
    regular = [a for a in attempts if a.case_id not in notices]
    assert regular, "the regular case made attempts"
    assert {a.contact_point_id for a in regular} == {change.contact_point_id}
    on_old = [a for a in attempts if a.contact_point_id == "m1"]
    assert [a.case_id for a in on_old] == [change.notice_case_ids[0]]


def test_a_targeted_case_never_reaches_another_point(app, bank, clock):
    # m1 never delivers; e1 and m2 would. The targeted case and its retry stay on m1.
    bank.add(
        a_us_customer(
            "c3",
            a_us_point(
                "e1",
                Channel.EMAIL,
                "delivered@sandbox.rightparty.test",
                kind=ContactPointKind.PERSONAL,
            ),
            a_us_point("m1", Channel.SMS, "+12125550101"),
            a_us_point("m2", Channel.SMS, "+12125550100"),
        )
    )
    bank.add(a_us_customer("c9", a_us_point("x1", Channel.SMS, "+12125550100")))
    command = OpenCase("c3", Purpose.ACCOUNT_NOTICE, "staff:test", contact_point_ids=("m1",))
    case_id = open_case(command, app.unit_of_work(), clock)
    bank.run(days=20)

    attempts = bank.attempts("c3")
    assert attempts
    assert {a.contact_point_id for a in attempts} == {"m1"}
    assert bank.case(case_id).status is CaseStatus.UNREACHABLE
    with app.session_factory() as session:
        targets = session.execute(
            text("SELECT plan, contact_point_ids FROM cases WHERE customer_id = 'c3' ORDER BY plan")
        ).all()
    assert [(plan, _ids(ids)) for plan, ids in targets] == [
        ("account_notice", ["m1"]),
        ("account_notice:retry", ["m1"]),
    ]

    before = _snapshot(app)
    foreign = OpenCase("c3", Purpose.ACCOUNT_NOTICE, "staff:test", contact_point_ids=("x1",))
    with pytest.raises(ContactPointNotFound):
        open_case(foreign, app.unit_of_work(), clock)
    assert _snapshot(app) == before


def _ids(stored):
    return json.loads(stored) if isinstance(stored, str) else stored


@pytest.mark.parametrize(
    "bad",
    [
        (_change("c4", "+12125550106", replaces="nope"), ContactPointNotFound, None),
        (_change("c4", "not a phone number"), ContactChangeRefused, ChangeRefusal.ADDRESS_INVALID),
        (_change("c4", "+1 212 555 0100"), ContactChangeRefused, ChangeRefusal.UNCHANGED),
        (
            _change("c4", "+12125550106", channel=Channel.EMAIL),
            ContactChangeRefused,
            ChangeRefusal.CHANNEL_MISMATCH,
        ),
        (
            _change("c4", "+12125550106", replaces=None, channel=Channel.VOICE),
            ContactChangeRefused,
            ChangeRefusal.NOT_NOTIFIABLE,
        ),
        (_change("nobody", "+12125550106"), CustomerNotFound, None),
    ],
    ids=["unknown-point", "invalid-address", "unchanged", "channel", "voice", "unknown-customer"],
)
def test_bad_input_gets_a_typed_error_and_leaves_nothing_written(app, bank, clock, bad):
    command, error, reason = bad
    bank.add(a_us_customer("c4", a_us_point("m1", Channel.SMS, "+12125550100")))
    before = _snapshot(app)
    with pytest.raises(error) as raised:
        change_contact_point(command, app.unit_of_work(), clock)
    assert raised.value.code
    if reason is not None:
        assert raised.value.reason is reason
    assert "555" not in str(raised.value)  # the message never repeats the address
    assert _snapshot(app) == before
    assert bank.customer("c4").contact_point("m1").addressable


class _RecordingAudit:
    def __init__(self, inner, payloads):
        self._inner, self._payloads = inner, payloads

    def record(self, event_type, actor, subject_id, payload, at):
        self._payloads.append((event_type, payload))
        self._inner.record(event_type, actor, subject_id, payload, at)


class _RecordingUnitOfWork:
    """The application's unit of work, keeping a copy of every audit payload it is given."""

    def __init__(self, inner):
        self._inner = inner
        self.payloads = []

    def __getattr__(self, name):
        return getattr(self._inner, name)

    @property
    def audit(self):
        return _RecordingAudit(self._inner.audit, self.payloads)

    def __enter__(self):
        self._inner.__enter__()
        return self

    def __exit__(self, *exc):
        return self._inner.__exit__(*exc)


def test_the_audit_payload_of_a_change_holds_no_address(app, bank, clock):
    bank.add(
        a_us_customer(
            "c5",
            a_us_point("m1", Channel.SMS, "+12125550100"),
            a_us_point("e1", Channel.EMAIL, "old.mail@example.com", kind=ContactPointKind.PERSONAL),
        )
    )
    uow = _RecordingUnitOfWork(app.unit_of_work())
    command = _change("c5", "New.Mail@Example.com", replaces="e1", channel=Channel.EMAIL)
    change = change_contact_point(command, uow, clock)

    (changed,) = [payload for event, payload in uow.payloads if event == "contact_point.changed"]
    assert changed["superseded_contact_point_id"] == "e1"
    assert changed["contact_point_id"] == change.contact_point_id
    assert changed["notice_case_ids"] == list(change.notice_case_ids)
    for _, payload in uow.payloads:
        written = canonical_payload(payload).decode().lower()
        for address in ("old.mail", "new.mail", "example.com", "2125550100"):
            assert address not in written
    with app.session_factory() as session:
        events = [
            json.loads(bytes(row[0]))
            for row in session.execute(
                text('SELECT event_bytes FROM audit_entries ORDER BY "index"')
            )
        ]
    (stored,) = [event for event in events if event["type"] == "contact_point.changed"]
    assert stored["payload_sha256"] == payload_digest(changed).hex()
    assert stored["subject"] == "c5"
