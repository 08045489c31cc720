# SPDX-License-Identifier: Apache-2.0
"""Drivers that run cases over time: a simulated clock (demo, what-if, tests) and a durable engine
(DBOS Transact, `rightparty worker`). Thin: every step is a use case; the drivers only decide when
to call which."""
