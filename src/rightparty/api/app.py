# SPDX-License-Identifier: Apache-2.0
"""The FastAPI application around a wired `Application`."""

from __future__ import annotations

from fastapi import FastAPI

from rightparty import __version__
from rightparty.api import webhooks
from rightparty.api.context import ApiContext
from rightparty.api.errors import install_error_handlers
from rightparty.bootstrap import Application
from rightparty.config import Settings
from rightparty.usecases.plans.catalogue import default_plans


def create_app(application: Application, settings: Settings) -> FastAPI:
    """The API for `application`; `settings.webhooks` configures the provider webhooks.

    No documentation routes: the API is for providers and staff tools, and its contract is
    `docs/api.md`.
    """
    app = FastAPI(
        title="rightparty",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.context = ApiContext(
        application=application, webhooks=settings.webhooks, plans=default_plans()
    )
    install_error_handlers(app)
    app.include_router(webhooks.router)
    return app
