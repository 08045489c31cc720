# SPDX-License-Identifier: Apache-2.0
"""Drivers that run cases over time: a simulated clock (demo, what-if, tests) and, later, a
durable engine. Thin: every step is a use case; the drivers only decide when to call which."""
