# SPDX-License-Identifier: Apache-2.0
"""Every error the API answers with, turned into a problem response (RFC 9457) in this one place.

A problem carries a stable `code`; validation problems list each bad field with pydantic's
error type. No response ever holds a stack trace or echoes what was sent, which may be a phone
number or a message body.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from rightparty.domain.errors import RightpartyError

PROBLEM_JSON = "application/problem+json"
logger = logging.getLogger("rightparty.api")


class ApiError(Exception):
    """An answer other than success, with its stable code."""

    def __init__(self, status: HTTPStatus, code: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail


def signature_missing() -> ApiError:
    return ApiError(HTTPStatus.FORBIDDEN, "SIGNATURE_MISSING", "the request is not signed")


def signature_invalid() -> ApiError:
    return ApiError(HTTPStatus.FORBIDDEN, "SIGNATURE_INVALID", "the signature does not match")


def callback_stale() -> ApiError:
    return ApiError(HTTPStatus.FORBIDDEN, "CALLBACK_STALE", "the callback is too old or early")


def webhooks_not_configured() -> ApiError:
    return ApiError(
        HTTPStatus.SERVICE_UNAVAILABLE,
        "WEBHOOKS_NOT_CONFIGURED",
        "set RIGHTPARTY_WEBHOOKS_PUBLIC_BASE_URL and RIGHTPARTY_WEBHOOKS_TWILIO_AUTH_TOKEN",
    )


_DOMAIN_STATUSES: dict[type[RightpartyError], HTTPStatus] = {}


def problem(
    status: HTTPStatus,
    code: str,
    detail: str,
    **extra: Any,  # noqa: ANN401 - JSON members
) -> JSONResponse:
    body = {"type": "about:blank", "title": status.phrase, "status": int(status), "code": code}
    body |= {"detail": detail, **extra}
    return JSONResponse(body, status_code=int(status), media_type=PROBLEM_JSON)


def _field_errors(errors: list[Any]) -> list[dict[str, str]]:
    """Each error's field and pydantic type; the `msg` and `input` are left out on purpose."""
    return [
        {
            "field": ".".join(str(part) for part in error["loc"] if part not in ("body", "query")),
            "code": str(error["type"]),
        }
        for error in errors
    ]


async def _api_error(_request: Request, error: Exception) -> Response:
    assert isinstance(error, ApiError)  # noqa: S101 - registered for ApiError only
    return problem(error.status, error.code, error.detail)


async def _validation_error(_request: Request, error: Exception) -> Response:
    assert isinstance(error, ValidationError | RequestValidationError)  # noqa: S101
    return problem(
        HTTPStatus.UNPROCESSABLE_ENTITY,
        "REQUEST_INVALID",
        "the request does not have the fields this endpoint needs",
        errors=_field_errors(list(error.errors())),
    )


async def _domain_error(_request: Request, error: Exception) -> Response:
    assert isinstance(error, RightpartyError)  # noqa: S101
    status = _DOMAIN_STATUSES.get(type(error), HTTPStatus.CONFLICT)
    return problem(status, error.code, status.phrase.lower())


async def _http_error(_request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)  # noqa: S101
    status = HTTPStatus(error.status_code)
    code = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}.get(error.status_code, "HTTP_ERROR")
    return problem(status, code, status.phrase.lower())


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(ValidationError, _validation_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(RightpartyError, _domain_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.middleware("http")(_unexpected_errors)


async def _unexpected_errors(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """A 500 problem for anything unforeseen. Logged by type and stack only: an exception's
    message may quote a parameter, and a parameter may be personal data."""
    try:
        return await call_next(request)
    except Exception as error:  # noqa: BLE001 - the last line of defence, logged below
        stack = "".join(traceback.format_tb(error.__traceback__))
        logger.error("unhandled %s on %s\n%s", type(error).__name__, request.url.path, stack)
        return problem(HTTPStatus.INTERNAL_SERVER_ERROR, "INTERNAL_ERROR", "internal error")
