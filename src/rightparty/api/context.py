# SPDX-License-Identifier: Apache-2.0
"""What the routes need from the application, kept on `app.state` and injected by type."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, cast

from fastapi import Depends, Request

from rightparty.bootstrap import Application
from rightparty.config import WebhookSettings
from rightparty.usecases.plans.catalogue import PlanCatalogue


@dataclass(frozen=True)
class ApiContext:
    application: Application
    webhooks: WebhookSettings
    plans: PlanCatalogue


def api_context(request: Request) -> ApiContext:
    return cast("ApiContext", request.app.state.context)


Context = Annotated[ApiContext, Depends(api_context)]
