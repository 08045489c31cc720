# SPDX-License-Identifier: Apache-2.0
"""Channel providers: the base class, the registry and one module per provider under `providers/`.

Implements the channel port of `rightparty.usecases.ports`; providers never import each other.
`base` (the provider contract), `capabilities` (limits as data), `resilience` (token bucket, retry,
circuit breaker), `failover` (a chain of providers for one channel), `registry` (built-ins and the
`rightparty.channels` entry-point group), `segments` (SMS segment counting), `dsn` (SMTP replies and
RFC 3464 reports). See docs/channels.md.
"""
