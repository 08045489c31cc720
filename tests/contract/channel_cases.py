# SPDX-License-Identifier: Apache-2.0
"""One `ProviderCase` per provider, each wired to a real backend: the sandbox's ledger, an SMTP
server on loopback, a Twilio-compatible API on loopback, a push service on loopback that checks
VAPID and decrypts, a print queue folder. The contract suite asks every case the
same questions; a new provider adds one builder here."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from rightparty.channels.base import ChannelProvider
from rightparty.channels.providers.letter import LetterProvider, LetterSettings, job_id_for
from rightparty.channels.providers.sandbox import SandboxProvider, SandboxSettings
from rightparty.channels.providers.smtp import SmtpProvider, SmtpSettings
from rightparty.channels.providers.twilio import TwilioProvider, TwilioSettings
from rightparty.channels.providers.webpush import (
    WebPushProvider,
    WebPushSettings,
    notification_tag,
)
from rightparty.domain.vocabulary import Channel
from tests.integration.channels.print_shop import (
    ACCEPTED_ADDRESS,
    INCOMPLETE_ADDRESS,
    OUTAGE_ADDRESS,
    PrintShop,
)
from tests.integration.channels.push_server import new_vapid_key, running_push_service
from tests.integration.channels.smtp_server import (
    HOST,
    PASSWORD,
    USERNAME,
    make_tls_material,
    running_smtp_server,
)
from tests.integration.channels.twilio_server import (
    ACCOUNT_SID,
    AUTH_TOKEN,
    UNAVAILABLE_NUMBER,
    running_fake_twilio,
)
from tests.unit.channels.builders import FakeTimer, fast_resilience


@dataclass
class ProviderCase:
    """A configured provider and addresses its backend accepts, refuses for good, or for now.

    `deliveries(key)` counts the messages the backend really took for an idempotency key.
    `secrets` are the plaintext values of the provider's secret settings.
    """

    provider: ChannelProvider[Any]
    channel: Channel
    accepted_address: str
    permanent_address: str
    transient_address: str
    deliveries: Callable[[str], int]
    secrets: tuple[str, ...]
    timer: FakeTimer


@contextmanager
def sandbox_case(tmp_path: Path) -> Iterator[ProviderCase]:
    timer = FakeTimer()
    key = "sk_test_sandbox_51Hx"
    settings = SandboxSettings(channels=frozenset({Channel.SMS}), api_key=SecretStr(key))
    with SandboxProvider(settings, resilience=fast_resilience(timer)) as provider:
        yield ProviderCase(
            provider=provider,
            channel=Channel.SMS,
            accepted_address="+12125550100",
            permanent_address="+12125550103",
            transient_address="+12125550111",
            deliveries=provider.ledger.times_sent,
            secrets=(key,),
            timer=timer,
        )


@contextmanager
def smtp_case(tmp_path: Path) -> Iterator[ProviderCase]:
    timer = FakeTimer()
    tls = make_tls_material(tmp_path)
    with running_smtp_server(starttls=tls) as server:
        settings = SmtpSettings(
            host=HOST,
            port=server.port,
            from_address="alerts@bank.example",
            ca_file=tls.cert_file,
            username=USERNAME,
            password=PASSWORD,
            timeout=5,
        )
        with SmtpProvider(settings, resilience=fast_resilience(timer)) as provider:
            yield ProviderCase(
                provider=provider,
                channel=Channel.EMAIL,
                accepted_address="c1@example.net",
                permanent_address="nobody@example.net",
                transient_address="later@example.net",
                deliveries=lambda key: len(
                    server.handler.by_message_id(provider.message_id_for(key))
                ),
                secrets=(PASSWORD,),
                timer=timer,
            )


def _twilio_case(channel: Channel) -> Callable[[Path], AbstractContextManager[ProviderCase]]:
    @contextmanager
    def build(tmp_path: Path) -> Iterator[ProviderCase]:
        timer = FakeTimer()
        with running_fake_twilio() as api:
            settings = TwilioSettings(
                account_sid=ACCOUNT_SID,
                auth_token=SecretStr(AUTH_TOKEN),
                base_url=api.base_url,
                sms_from="+15005550006",
                voice_from="+15005550006",
                timeout=5,
            )
            with TwilioProvider(settings, resilience=fast_resilience(timer)) as provider:
                yield ProviderCase(
                    provider=provider,
                    channel=channel,
                    accepted_address="+12125550100",
                    permanent_address="+15005550001",
                    transient_address=UNAVAILABLE_NUMBER,
                    deliveries=api.created,
                    secrets=(AUTH_TOKEN,),
                    timer=timer,
                )

    return build


@contextmanager
def webpush_case(tmp_path: Path) -> Iterator[ProviderCase]:
    timer = FakeTimer()
    private_key, public_key = new_vapid_key()
    with running_push_service(public_key) as service:
        settings = WebPushSettings(
            vapid_private_key=SecretStr(private_key),
            vapid_subject="mailto:push-ops@bank.example",
            endpoint_hosts=("127.0.0.1",),
            allow_insecure_loopback=True,
            timeout=5,
        )
        with WebPushProvider(settings, resilience=fast_resilience(timer)) as provider:
            yield ProviderCase(
                provider=provider,
                channel=Channel.PUSH,
                accepted_address=service.subscription("c-9-laptop"),
                permanent_address=service.subscription("gone"),
                transient_address=service.subscription("unavailable"),
                deliveries=lambda key: service.delivered(notification_tag(key)),
                secrets=(private_key,),
                timer=timer,
            )


@contextmanager
def letter_case(tmp_path: Path) -> Iterator[ProviderCase]:
    timer = FakeTimer()
    shop = PrintShop(tmp_path / "print-queue")
    settings = LetterSettings(print_queue_folder=shop.folder, sender_lines=("Example Bank",))
    with LetterProvider(settings, resilience=fast_resilience(timer), print_queue=shop) as provider:
        yield ProviderCase(
            provider=provider,
            channel=Channel.LETTER,
            accepted_address=ACCEPTED_ADDRESS,
            permanent_address=INCOMPLETE_ADDRESS,
            transient_address=OUTAGE_ADDRESS,
            deliveries=lambda key: shop.queued(job_id_for(key)),
            secrets=(),
            timer=timer,
        )


CASES: dict[str, Callable[[Path], AbstractContextManager[ProviderCase]]] = {
    "sandbox": sandbox_case,
    "smtp": smtp_case,
    "twilio-sms": _twilio_case(Channel.SMS),
    "twilio-voice": _twilio_case(Channel.VOICE),
    "webpush": webpush_case,
    "letter": letter_case,
}
