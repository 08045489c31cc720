# SPDX-License-Identifier: Apache-2.0
"""Channel settings read the environment: every test here starts from one without ours."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(autouse=True)
def no_rightparty_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in list(os.environ):
        if variable.startswith("RIGHTPARTY_"):
            monkeypatch.delenv(variable)
