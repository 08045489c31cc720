# SPDX-License-Identifier: Apache-2.0
"""Which build runs, and what both builds must agree on beyond the decisions themselves.

Every other test here holds both builds to the same answers. `make test-compiled` runs them in
`.venv-compiled` with RIGHTPARTY_EXPECT_COMPILED=1, and a policy module imported from source there
fails the run. Anywhere else every module must come from source: an extension left beside a
source file would be imported instead of it, and run old rules (docs/adr/0007).
"""

import copy
import importlib
import os
import pickle
import pkgutil
from datetime import UTC, datetime, timedelta
from importlib.machinery import EXTENSION_SUFFIXES
from types import ModuleType
from zoneinfo import ZoneInfo

import pytest

import rightparty.policy as policy_package
from rightparty.domain.vocabulary import (
    Channel,
    ContactPointKind,
    ContactSource,
    Direction,
    OptOutScope,
    Outcome,
    Purpose,
)
from rightparty.policy import (
    Consent,
    ContactPointFacts,
    ContactRequest,
    Counter,
    CustomerFacts,
    DateSetCalendar,
    HistoryEntry,
    OptOut,
    ScopeKey,
)
from rightparty.usecases.policy_packs import build_policy, load_pack

pytestmark = pytest.mark.unit

NOW = datetime(2026, 3, 9, 15, tzinfo=UTC)
COPIES = {
    "pickle": lambda value: pickle.loads(pickle.dumps(value)),  # noqa: S301 - bytes made here
    "copy": copy.copy,
    "deepcopy": copy.deepcopy,
}


def _policy_modules() -> dict[str, ModuleType]:
    prefix = f"{policy_package.__name__}."
    names = [policy_package.__name__]
    names += [found.name for found in pkgutil.walk_packages(policy_package.__path__, prefix)]
    return {name: importlib.import_module(name) for name in names}


def test_every_policy_module_comes_from_the_build_expected():
    expected = os.environ.get("RIGHTPARTY_EXPECT_COMPILED") == "1"
    modules = _policy_modules()
    extensions = {
        name
        for name, module in modules.items()
        if (module.__file__ or "").endswith(tuple(EXTENSION_SUFFIXES))
    }
    assert len(modules) > 15  # the whole package was found, rules included
    if expected:
        assert extensions == set(modules), f"from source: {sorted(set(modules) - extensions)}"
    else:
        assert not extensions, f"compiled extensions instead of source: {sorted(extensions)}"
    assert policy_package.compiled() is expected


def _customer() -> CustomerFacts:
    new_york = ZoneInfo("America/New_York")
    return CustomerFacts(
        "c1",
        contact_points=(
            ContactPointFacts(
                "m1",
                Channel.VOICE,
                kind=ContactPointKind.MOBILE,
                source=ContactSource.CUSTOMER_PROVIDED,
                zones=(new_york,),
            ),
            ContactPointFacts("w1", Channel.EMAIL, kind=ContactPointKind.WORK),
        ),
        location_zones=(ZoneInfo("America/Chicago"),),
        consents=(
            Consent(Purpose.MARKETING, Channel.SMS, NOW - timedelta(days=9), "consumer_direct"),
        ),
        restrictions=(OptOut(OptOutScope.CHANNEL, NOW - timedelta(days=1), Channel.EMAIL),),
        history=tuple(
            HistoryEntry(
                NOW - timedelta(hours=hours),
                Channel.VOICE,
                Outcome.NO_ANSWER,
                Direction.OUTBOUND,
                contact_point_id="m1",
                debt_ids=frozenset({"d1"}),
                purpose=Purpose.COLLECTIONS,
            )
            for hours in range(1, 9)
        ),
        jurisdictions=("US",),
    )


@pytest.mark.parametrize("how", sorted(COPIES))
def test_the_engines_values_pickle_and_copy_to_equal_values(how):
    customer = _customer()
    pack = load_pack("us-reg-f")
    values = [
        customer,
        *customer.contact_points,
        *customer.consents,
        *customer.history,
        ContactRequest(Channel.VOICE, "m1", Purpose.COLLECTIONS, "d1"),
        pack,
        *pack.rules,
        DateSetCalendar(frozenset({NOW.date()})),
        Counter(frozenset({Channel.VOICE}), frozenset({Outcome.BUSY}), scope=(ScopeKey.DEBT,)),
    ]
    for value in values:
        copied = COPIES[how](value)
        assert copied == value
        assert type(copied) is type(value)
    copied_customer = COPIES[how](customer)
    assert copied_customer.traits == customer.traits  # derived fields are worked out again
    assert copied_customer.zones == customer.zones
    assert copied_customer.index.size == customer.index.size


@pytest.mark.parametrize("how", sorted(COPIES))
def test_a_copied_policy_and_copied_facts_decide_as_the_originals(how):
    policy = build_policy(["us-reg-f", "us-tcpa", "bank-baseline"])
    customer = _customer()
    requests = [
        ContactRequest(Channel.VOICE, "m1", Purpose.COLLECTIONS, "d1"),
        ContactRequest(Channel.SMS, "m1", Purpose.MARKETING),
        ContactRequest(Channel.EMAIL, "w1", Purpose.MARKETING),
    ]
    copied_policy, copied_customer = COPIES[how](policy), COPIES[how](customer)
    for request in requests:
        for now in (NOW, NOW + timedelta(hours=7)):
            expected = policy.evaluate(customer, request, now)
            assert copied_policy.evaluate(copied_customer, request, now) == expected
