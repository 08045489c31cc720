# SPDX-License-Identifier: Apache-2.0
"""A synthetic bank: customers in China and the US with realistic, sometimes stale, details.

Everything is drawn from one seeded generator, so the same seed gives the same bank. Addresses are
fictional: US numbers use the 555 exchange, emails the reserved `example.com` domain.
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping
from dataclasses import dataclass

import phonenumbers
from faker import Faker

from rightparty.channels.providers.sandbox import ReachabilityProfile
from rightparty.domain.vocabulary import Channel, Outcome

_REACHABLE = {
    Channel.SMS: {Outcome.DELIVERED: 0.97, Outcome.UNDELIVERED: 0.03},
    Channel.VOICE: {
        Outcome.ANSWERED_RIGHT_PARTY: 0.6,
        Outcome.NO_ANSWER: 0.3,
        Outcome.VOICEMAIL: 0.1,
    },
    Channel.EMAIL: {Outcome.DELIVERED: 0.95, Outcome.BOUNCED_SOFT: 0.05},
    Channel.PUSH: {Outcome.DELIVERED: 0.7, Outcome.UNDELIVERED: 0.3},
    Channel.LETTER: {Outcome.DELIVERED: 1.0},
}
PROFILES: Mapping[str, ReachabilityProfile] = {
    "responsive": ReachabilityProfile("responsive", _REACHABLE),
    "phone_often_off": ReachabilityProfile(
        "phone_often_off",
        {
            **_REACHABLE,
            Channel.SMS: {Outcome.POWERED_OFF: 0.7, Outcome.DELIVERED: 0.3},
            Channel.VOICE: {Outcome.POWERED_OFF: 0.8, Outcome.NO_ANSWER: 0.2},
            Channel.PUSH: {Outcome.UNDELIVERED: 1.0},
            Channel.EMAIL: {Outcome.DELIVERED: 0.2, Outcome.BOUNCED_SOFT: 0.8},
        },
    ),
    "wrong_number": ReachabilityProfile(
        "wrong_number",
        {
            **_REACHABLE,
            Channel.SMS: {Outcome.WRONG_NUMBER: 1.0},
            Channel.VOICE: {Outcome.ANSWERED_THIRD_PARTY: 1.0},
            Channel.PUSH: {Outcome.UNDELIVERED: 1.0},
        },
    ),
    "refuser": ReachabilityProfile(
        "refuser",
        {
            **_REACHABLE,
            Channel.SMS: {Outcome.OPTED_OUT: 0.6, Outcome.DELIVERED: 0.4},
            Channel.VOICE: {Outcome.HUNG_UP: 0.7, Outcome.DECLINED: 0.3},
            Channel.EMAIL: {Outcome.DELIVERED: 0.5, Outcome.OPTED_OUT: 0.5},
        },
    ),
    "email_bounces": ReachabilityProfile(
        "email_bounces", {**_REACHABLE, Channel.EMAIL: {Outcome.BOUNCED_HARD: 1.0}}
    ),
    "stale_everywhere": ReachabilityProfile(
        "stale_everywhere",
        {
            Channel.SMS: {Outcome.NOT_IN_SERVICE: 1.0},
            Channel.VOICE: {Outcome.INVALID_NUMBER: 1.0},
            Channel.EMAIL: {Outcome.BOUNCED_HARD: 1.0},
            Channel.PUSH: {Outcome.UNDELIVERED: 1.0},
            Channel.LETTER: {Outcome.UNKNOWN_RECIPIENT: 1.0},
        },
    ),
}
PROFILE_WEIGHTS = {
    "responsive": 0.55,
    "phone_often_off": 0.15,
    "wrong_number": 0.08,
    "refuser": 0.06,
    "email_bounces": 0.1,
    "stale_everywhere": 0.06,
}
US_AREAS = {"US": ("212", "415", "312", "602", "305"), "US-MA": ("617", "508")}


@dataclass(frozen=True, slots=True)
class SyntheticCustomer:
    number: int
    external_ref: str
    jurisdiction: str
    profile: str
    import_line: str


class SyntheticBank:
    """`run` tags the customers' references, so a second demo in the same database meets new
    customers rather than the first run's, whose history would change its decisions."""

    def __init__(self, seed: int, run: str = "") -> None:
        self._run = run
        self._random = random.Random(seed)  # noqa: S311 - synthetic data, not a secret
        self._faker = {"zh_CN": Faker("zh_CN"), "en_US": Faker("en_US")}
        for index, faker in enumerate(self._faker.values()):
            faker.seed_instance(seed + index)

    def customers(self, count: int) -> list[SyntheticCustomer]:
        return [self._customer(number) for number in range(1, count + 1)]

    def _customer(self, number: int) -> SyntheticCustomer:
        draw = self._random.random()
        jurisdiction = "CN" if draw < 0.55 else ("US-MA" if draw < 0.62 else "US")
        chinese = jurisdiction == "CN"
        faker = self._faker["zh_CN" if chinese else "en_US"]
        ref = f"DEMO{self._run}{number:06d}"
        phone = self._cn_mobile() if chinese else self._us_phone(jurisdiction)
        points = [
            {"channel": "sms", "address": phone, "kind": "mobile", "source": "customer_provided"},
            {"channel": "voice", "address": phone, "kind": "mobile", "source": "customer_provided"},
            {"channel": "email", "address": f"customer{number}@example.com", "source": "app"},
            {
                "channel": "letter",
                "address": faker.address().replace("\n", ", "),
                "source": "branch",
            },
        ]
        if self._random.random() < 0.6:
            points.append(
                {"channel": "push", "address": f"push-token-{number:06d}", "source": "app"}
            )
        zone = "Asia/Shanghai" if chinese else self._random.choice(_US_ZONES[jurisdiction])
        document = {
            "external_ref": ref,
            "name": faker.name(),
            "locale": "zh-CN" if chinese else "en-US",
            "jurisdiction": jurisdiction,
            "locations": [{"timezone": zone, "source": "address"}],
            "contact_points": points,
        }
        profile = self._random.choices(list(PROFILE_WEIGHTS), list(PROFILE_WEIGHTS.values()))[0]
        line = json.dumps(document, ensure_ascii=False)
        return SyntheticCustomer(number, ref, jurisdiction, profile, line)

    def _cn_mobile(self) -> str:
        prefix = self._random.choice(("138", "139", "150", "186", "135"))
        return f"+86{prefix}{self._random.randrange(10**8):08d}"

    def _us_phone(self, jurisdiction: str) -> str:
        while True:
            area = self._random.choice(US_AREAS[jurisdiction])
            candidate = f"+1{area}555{self._random.randrange(200, 10000):04d}"
            if phonenumbers.is_valid_number(phonenumbers.parse(candidate)):
                return candidate


_US_ZONES = {
    "US": ("America/New_York", "America/Chicago", "America/Phoenix", "America/Los_Angeles"),
    "US-MA": ("America/New_York",),
}


def _one_line(address: str) -> str:
    return ", ".join(part.strip() for part in address.splitlines() if part.strip())
