# SPDX-License-Identifier: Apache-2.0
"""Web push (RFC 8030) to a browser subscription: payload encrypted per RFC 8291 (`aes128gcm`,
RFC 8188) with pywebpush, the request signed with VAPID (RFC 8292), sent on one pooled httpx
client (the same transport as the Twilio provider, and connections to a push service are reused).

A push contact point's `address` is the browser's `PushSubscription.toJSON()`:
`{"endpoint": "https://…", "expirationTime": null, "keys": {"p256dh": "…", "auth": "…"}}`.
The payload the service worker receives is UTF-8 JSON: `title`, `body`, `lang`, `ref` (the
reference code) and `tag` (a digest of the idempotency key, so a repeated notification replaces
the first one on the device instead of showing twice).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import ipaddress
import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Literal
from urllib.parse import urlsplit

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02  # type: ignore[import-untyped]
from pydantic import Field, SecretStr, field_validator
from pywebpush import WebPusher  # type: ignore[import-untyped]

from rightparty.channels.base import ChannelProvider, ProviderSettings, Resilience
from rightparty.channels.capabilities import Capabilities, ChannelLimits, RateLimit
from rightparty.channels.reports import (
    BaseErrorCode,
    SendReport,
    accepted,
    parse_retry_after,
    permanent,
    transient,
)
from rightparty.domain.clock import Clock, SystemClock
from rightparty.domain.messages import OutboundMessage
from rightparty.domain.vocabulary import Channel, Outcome

MAX_PLAINTEXT = 3993
"""RFC 8291 §4: a push service need take no more than 4096 octets of body; less the 86-octet
`aes128gcm` header, the 16-octet tag and the 1-octet padding delimiter, 3993 octets of payload."""
MAX_BODY_CHARACTERS = 1000
"""Three bytes per CJK character and room for title and reference fit in `MAX_PLAINTEXT`; the
exact byte size is checked again before encryption."""
VAPID_LIFETIME = timedelta(hours=12)
"""RFC 8292 §2 caps `exp` at 24 hours; a token is reused until an hour before it expires."""
_VAPID_RENEW = timedelta(hours=1)
KNOWN_PUSH_SERVICES = (
    "fcm.googleapis.com",
    "updates.push.services.mozilla.com",
    "web.push.apple.com",
    ".notify.windows.com",
)
_LOOPBACK_NAMES = frozenset({"localhost"})
_ACCOUNT_HTTP = frozenset({401, 403})
"""A VAPID key the push service refuses: another provider instance with another key may succeed."""
_GONE_HTTP = frozenset({404, 410})
"""RFC 8030 §7.3: the subscription expired or the browser unsubscribed."""


class SubscriptionInvalid(ValueError):
    """A push address that is not a usable subscription; the message names the field only."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"push subscription {field}: {problem}")
        self.field = field


@dataclass(frozen=True, slots=True)
class PushSubscription:
    """A browser's subscription, validated; `repr` hides every part (the endpoint is an address)."""

    endpoint: str
    p256dh: str
    auth: str
    expires_at: datetime | None = None

    def __repr__(self) -> str:
        return "PushSubscription(endpoint='***', keys='***')"

    @property
    def origin(self) -> str:
        parts = urlsplit(self.endpoint)
        return f"{parts.scheme}://{parts.netloc}"


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _key(keys: dict[str, object], name: str, size: int) -> str:
    value = keys.get(name)
    if not isinstance(value, str) or not value:
        raise SubscriptionInvalid(f"keys.{name}", "missing")
    try:
        raw = _b64url_decode(value.strip())
    except (binascii.Error, ValueError):
        raise SubscriptionInvalid(f"keys.{name}", "not base64url") from None
    if len(raw) != size:
        raise SubscriptionInvalid(f"keys.{name}", f"must decode to {size} bytes")
    return value.strip()


def parse_subscription(address: str) -> PushSubscription:
    """The subscription a push address holds; `SubscriptionInvalid` when it cannot be used."""
    try:
        document = json.loads(address)
    except ValueError:
        raise SubscriptionInvalid("address", "not JSON") from None
    if not isinstance(document, dict):
        raise SubscriptionInvalid("address", "not a JSON object")
    endpoint = document.get("endpoint")
    if not isinstance(endpoint, str) or not endpoint:
        raise SubscriptionInvalid("endpoint", "missing")
    parts = urlsplit(endpoint)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise SubscriptionInvalid("endpoint", "not an absolute http(s) URL")
    keys = document.get("keys")
    if not isinstance(keys, dict):
        raise SubscriptionInvalid("keys", "missing")
    p256dh = _key(keys, "p256dh", 65)
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), _b64url_decode(p256dh))
    except ValueError:
        raise SubscriptionInvalid("keys.p256dh", "not a P-256 public key") from None
    auth = _key(keys, "auth", 16)
    expiration = document.get("expirationTime")
    if expiration is not None and (
        isinstance(expiration, bool) or not isinstance(expiration, int | float)
    ):
        raise SubscriptionInvalid("expirationTime", "not a number of milliseconds")
    expires_at = None if expiration is None else datetime.fromtimestamp(expiration / 1000, UTC)
    return PushSubscription(endpoint, p256dh, auth, expires_at)


def load_vapid_key(text: str) -> ec.EllipticCurvePrivateKey:
    """A P-256 private key from PEM, base64url DER, or the raw 32-byte scalar in base64url."""
    stripped = text.strip()
    if stripped.startswith("-----BEGIN"):
        key = serialization.load_pem_private_key(stripped.encode(), password=None)
    else:
        raw = _b64url_decode("".join(stripped.split()))
        if len(raw) == 32:
            key = ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())
        else:
            key = serialization.load_der_private_key(raw, password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        message = "the VAPID key must be a P-256 (prime256v1) private key"
        raise ValueError(message)
    return key


class WebPushSettings(ProviderSettings):
    vapid_private_key: SecretStr = Field(
        description="VAPID P-256 private key: PEM, base64url DER or base64url raw 32 bytes."
    )
    vapid_subject: str = Field(
        pattern=r"^(mailto:[^@\s]+@[^@\s]+|https://\S+)$",
        description="VAPID `sub`: a mailto: or https: contact the push service can reach.",
    )
    ttl: int = Field(
        default=86_400, ge=0, le=2_419_200, description="Seconds a push service keeps a message."
    )
    urgency: Literal["very-low", "low", "normal", "high"] = Field(
        default="normal", description="RFC 8030 Urgency header."
    )
    default_title: str = Field(
        default="A message from your bank",
        min_length=1,
        max_length=120,
        description="Notification title when a message has no subject.",
    )
    endpoint_hosts: tuple[str, ...] = Field(
        default=KNOWN_PUSH_SERVICES,
        min_length=1,
        description="Push service hosts we post to; a leading dot allows subdomains.",
    )
    allow_insecure_loopback: bool = Field(
        default=False, description="Allow plain-http endpoints on loopback (tests, local relays)."
    )
    timeout: float = Field(default=10.0, gt=0, description="HTTP timeout in seconds.")
    requests_per_second: float = Field(default=50.0, gt=0, description="Request throttle.")
    burst: int = Field(default=50, ge=1, description="Requests allowed at once.")

    @field_validator("vapid_private_key")
    @classmethod
    def _loadable(cls, value: SecretStr) -> SecretStr:
        try:
            load_vapid_key(value.get_secret_value())
        except (ValueError, TypeError, binascii.Error):
            message = "not a P-256 private key in PEM, DER or raw base64url form"
            raise ValueError(message) from None
        return value


def classify_push_response(
    provider: str, status_code: int, location: str | None, retry_after: str | None, now: datetime
) -> SendReport:
    """A push service's answer to a message POST, as a report (table in docs/channels.md)."""
    if 200 <= status_code < 300:
        return accepted(provider, location or None)
    error_code = f"http_{status_code}"
    if status_code in _GONE_HTTP:
        return permanent(provider, error_code, Outcome.UNKNOWN_RECIPIENT)
    if status_code == 413:
        return permanent(provider, BaseErrorCode.MESSAGE_TOO_LONG)
    if status_code == 429:
        return transient(provider, error_code, retry_after=parse_retry_after(retry_after, now))
    if status_code == 408 or status_code >= 500 or status_code in _ACCOUNT_HTTP:
        return transient(provider, error_code)
    return permanent(provider, error_code, Outcome.PROVIDER_ERROR)


def notification_tag(idempotency_key: str) -> str:
    """The notification `tag` for a key: names the attempt, never the person."""
    return hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]


class WebPushProvider(ChannelProvider[WebPushSettings]):
    kind = "webpush"
    settings_model = WebPushSettings
    CAPABILITIES = Capabilities(
        channels={Channel.PUSH: ChannelLimits(max_length=MAX_BODY_CHARACTERS)},
        rate_limit=RateLimit(per_second=50.0, burst=50),
        batch_size=1,
        secret_fields=frozenset({"vapid_private_key"}),
        notes="RFC 8030 push services (FCM, Mozilla autopush, Apple, WNS) with VAPID.",
    )

    def __init__(
        self,
        settings: WebPushSettings,
        *,
        name: str | None = None,
        resilience: Resilience | None = None,
        clock: Clock | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        super().__init__(settings, name=name, resilience=resilience)
        self._clock = clock or SystemClock()
        self._vapid = Vapid02(load_vapid_key(settings.vapid_private_key.get_secret_value()))
        self._tokens: dict[str, tuple[str, datetime]] = {}
        self._client = httpx.Client(
            timeout=settings.timeout, transport=transport, headers={"User-Agent": "rightparty"}
        )

    def _capabilities(self) -> Capabilities:
        rate = RateLimit(per_second=self.settings.requests_per_second, burst=self.settings.burst)
        return replace(self.CAPABILITIES, rate_limit=rate)

    @property
    def application_server_key(self) -> str:
        """The VAPID public key (base64url, uncompressed point) the browser subscribes with."""
        point = self._vapid.public_key.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return _b64url_encode(point)

    def close(self) -> None:
        self._client.close()

    def deliver(self, message: OutboundMessage) -> SendReport:
        try:
            subscription = parse_subscription(message.address)
        except SubscriptionInvalid:
            return permanent(self.name, "webpush_subscription_invalid", Outcome.UNKNOWN_RECIPIENT)
        now = self._clock.now()
        payload = self._payload(message)
        refusal = self._refusal(subscription, now, payload)
        if refusal is not None:
            return refusal
        keys = {"p256dh": subscription.p256dh, "auth": subscription.auth}
        body: bytes = WebPusher({"endpoint": subscription.endpoint, "keys": keys}).encode(
            payload, "aes128gcm"
        )["body"]
        headers = {
            "Authorization": self._authorization(subscription.origin, now),
            "Content-Encoding": "aes128gcm",
            "Content-Type": "application/octet-stream",
            "TTL": str(self.settings.ttl),
            "Urgency": self.settings.urgency,
        }
        try:
            response = self._client.post(subscription.endpoint, content=body, headers=headers)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout):
            return transient(self.name, "webpush_connect")
        except httpx.TransportError:
            return transient(self.name, "webpush_no_response", ambiguous=True)
        # RFC 8030 §5 requires a Location; without one the tag still names the message.
        location = (
            response.headers.get("Location") or f"push:{notification_tag(message.idempotency_key)}"
        )
        return classify_push_response(
            self.name,
            response.status_code,
            location,
            response.headers.get("Retry-After"),
            self._clock.now(),
        )

    def _refusal(
        self, subscription: PushSubscription, now: datetime, payload: bytes
    ) -> SendReport | None:
        if len(payload) > MAX_PLAINTEXT:
            return permanent(self.name, BaseErrorCode.MESSAGE_TOO_LONG)
        if subscription.expires_at is not None and subscription.expires_at <= now:
            return permanent(self.name, "webpush_subscription_expired", Outcome.UNKNOWN_RECIPIENT)
        parts = urlsplit(subscription.endpoint)
        host = (parts.hostname or "").lower()
        if parts.scheme != "https" and not (
            self.settings.allow_insecure_loopback and _is_loopback(host)
        ):
            return permanent(self.name, "webpush_endpoint_insecure", Outcome.UNKNOWN_RECIPIENT)
        if not _host_allowed(host, self.settings.endpoint_hosts):
            # The endpoint comes from a browser; posting to any host would let a crafted
            # subscription make the bank's servers call internal addresses.
            return permanent(self.name, "webpush_endpoint_not_allowed", Outcome.UNKNOWN_RECIPIENT)
        return None

    def _payload(self, message: OutboundMessage) -> bytes:
        document = {
            "title": message.subject or self.settings.default_title,
            "body": message.body,
            "lang": message.locale,
            "ref": message.reference_code,
            "tag": notification_tag(message.idempotency_key),
        }
        return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()

    def _authorization(self, origin: str, now: datetime) -> str:
        cached = self._tokens.get(origin)
        if cached is not None and cached[1] - now > _VAPID_RENEW:
            return cached[0]
        expires = now + VAPID_LIFETIME
        claims = {
            "aud": origin,
            "exp": int(expires.timestamp()),
            "sub": self.settings.vapid_subject,
        }
        header: str = self._vapid.sign(claims)["Authorization"]
        self._tokens[origin] = (header, expires)
        return header


def _is_loopback(host: str) -> bool:
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _host_allowed(host: str, allowed: tuple[str, ...]) -> bool:
    for entry in allowed:
        pattern = entry.lower()
        if pattern.startswith(".") and host.endswith(pattern):
            return True
        if host == pattern:
            return True
    return False


def subscription_for(endpoint: str, public_key: ec.EllipticCurvePublicKey, auth: bytes) -> str:
    """A push address for `endpoint` and a browser's key pair, as `PushSubscription.toJSON()`."""
    point = public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    keys = {"p256dh": _b64url_encode(point), "auth": _b64url_encode(auth)}
    return json.dumps({"endpoint": endpoint, "expirationTime": None, "keys": keys})
