# SPDX-License-Identifier: Apache-2.0
"""Reaching a customer: open a case, propose each plan step to the policy engine, record the
attempt with its decision and audit entry, dispatch it, fold its outcome back, and when the plan
runs out diagnose why and follow up. No path here addresses anyone but the customer."""
