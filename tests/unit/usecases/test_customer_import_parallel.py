# SPDX-License-Identifier: Apache-2.0
"""Checking a file in several processes answers exactly as checking it in one."""

from __future__ import annotations

import gc
import json
import multiprocessing
import pickle

import pytest

from rightparty.usecases import contact_normalisation, customer_import
from rightparty.usecases.customer_import import ImportValidation, validate_import

pytestmark = pytest.mark.unit


def _good(number: int) -> str:
    return json.dumps(
        {
            "external_ref": f"P{number}",
            "name": f"Zoe Q {number}",
            "locale": "en-US",
            "jurisdiction": "US",
            "locations": [{"timezone": "America/New_York"}],
            "contact_points": [
                {"channel": "sms", "address": f"+1212555{number:04d}", "source": "app"},
                {"channel": "email", "address": f"Zoe{number}@Example.com", "source": "branch"},
            ],
        }
    )


BAD = [
    "{not json",
    '{"external_ref": "X"}',
    json.dumps({"external_ref": "Y", "phone_book": [{"name": "A", "phone": "+12125550100"}]}),
    _good(9000).replace("+1212", "+1"),
    _good(9001).replace("Example.com", "example..com"),
    _good(9002).replace('"app"', '"neighbour"'),
]


def _file(size: int) -> list[str]:
    """Good lines, with bad, blank and repeated ones scattered over every part."""
    lines = [_good(number) for number in range(size)]
    for position in range(7, size, 13):
        lines[position] = BAD[position % len(BAD)]
    for position in range(11, size, 29):
        lines[position] = ""
    for position in range(17, size, 31):
        lines[position] = _good(position // 3)  # repeats an earlier line, here or in a part before
    return lines


@pytest.fixture
def small_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(customer_import, "PARALLEL_FROM_LINES", 10)


def _messages(validation: ImportValidation) -> list[str]:
    return [str(error) for error in validation.errors]


@pytest.mark.usefixtures("small_threshold")
@pytest.mark.parametrize("workers", [2, 3])
def test_several_processes_give_the_same_customers_and_messages_in_line_order(
    workers: int,
) -> None:
    lines = _file(200)
    in_one = validate_import(lines)
    in_several = validate_import(lines, workers=workers)
    assert in_several == in_one
    assert _messages(in_several) == _messages(in_one)
    numbers = [error.line for error in in_several.errors]
    assert numbers == sorted(numbers)
    assert {number for number in numbers if number > 200 // workers}  # later parts found some
    assert any("repeats the customer of line" in message for message in _messages(in_one))
    assert [customer.line for customer in in_several.customers] == sorted(
        customer.line for customer in in_several.customers
    )


@pytest.mark.usefixtures("small_threshold")
def test_this_process_checks_the_first_part_and_forked_ones_the_others(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    checked_here: list[int] = []
    validate_line = customer_import._validate_line

    def spy(number: int, text: str) -> object:
        checked_here.append(number)  # a forked process appends to its own copy
        return validate_line(number, text)

    monkeypatch.setattr(customer_import, "_validate_line", spy)
    lines = _file(90)
    in_three = validate_import(lines, workers=3)
    assert checked_here == [number for number in range(1, 31) if lines[number - 1]]
    assert len(in_three.customers) + len(in_three.errors) == len([text for text in lines if text])


@pytest.mark.usefixtures("small_threshold")
def test_without_processes_the_file_is_checked_here_with_the_same_answer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_fork(method: str) -> multiprocessing.context.BaseContext:
        raise ValueError(method)

    lines = _file(60)
    expected = validate_import(lines)
    monkeypatch.setattr(multiprocessing, "get_context", no_fork)
    assert validate_import(lines, workers=2) == expected


def test_a_small_file_is_checked_in_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(texts: list[str], workers: int) -> None:
        raise AssertionError("forked for a small file")

    monkeypatch.setattr(customer_import, "_check_in_processes", refuse)
    assert validate_import(_file(40), workers=2).errors


def test_checked_customers_survive_the_trip_between_processes_unchanged() -> None:
    customers = validate_import([_good(1), _good(2)]).customers
    assert pickle.loads(pickle.dumps(customers)) == customers  # noqa: S301 - our own bytes


def test_the_cycle_collector_is_paused_while_checking_and_given_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[bool] = []
    validate_line = customer_import._validate_line

    def spy(number: int, text: str) -> object:
        seen.append(gc.isenabled())
        return validate_line(number, text)

    monkeypatch.setattr(customer_import, "_validate_line", spy)
    assert gc.isenabled()
    validate_import([_good(1), "{not json"])
    assert seen == [False, False]
    assert gc.isenabled()


def test_the_email_domains_a_check_saw_are_not_kept_after_it() -> None:
    seen: list[int] = []
    check = customer_import._check_lines

    def checking(first_number: int, texts: list[str]) -> list[object]:
        checked = check(first_number, texts)
        seen.append(contact_normalisation._plain_domain.cache_info().currsize)
        return checked

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(customer_import, "_check_lines", checking)
        validation = validate_import([_good(1), _good(2)])
    assert len(validation.customers) == 2
    assert seen == [1]  # the check used the cache ...
    assert contact_normalisation._plain_domain.cache_info().currsize == 0  # ... and emptied it
