# SPDX-License-Identifier: Apache-2.0
"""Importing customers writes them, their keys and their audit entries in one transaction."""

import json

import pytest
from sqlalchemy import text

from rightparty.usecases.customer_import import validate_import
from rightparty.usecases.customers import ImportRefused, import_customers

pytestmark = pytest.mark.integration


def _line(ref, phone="+8613812345678", name="王小明"):
    return json.dumps(
        {
            "external_ref": ref,
            "name": name,
            "locale": "zh-CN",
            "jurisdiction": "CN",
            "locations": [{"timezone": "Asia/Shanghai", "source": "address"}],
            "contact_points": [{"channel": "sms", "address": phone, "source": "app"}],
        },
        ensure_ascii=False,
    )


def _count(app, table):
    with app.session_factory() as session:
        return session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()  # noqa: S608


def test_import_creates_then_updates_by_external_ref_without_duplicates(app):
    first = import_customers(
        validate_import([_line("C1"), _line("C2")]), app.unit_of_work(), app.clock
    )
    assert (first.created, first.updated) == (2, 0)
    second = import_customers(
        validate_import([_line("C1", phone="+8613912345678", name="王大明")]),
        app.unit_of_work(),
        app.clock,
    )
    assert (second.created, second.updated) == (0, 1)
    with app.unit_of_work() as uow:
        customer = uow.customers.by_external_ref("C1")
    assert customer.name == "王大明"
    assert [point.address for point in customer.contact_points] == [
        "+8613812345678",
        "+8613912345678",
    ]
    assert _count(app, "customers") == 2
    assert _count(app, "audit_entries") == 3


def test_a_file_with_a_bad_line_writes_nothing(app):
    validation = validate_import([_line("C1"), '{"external_ref": "C2"}'])
    with pytest.raises(ImportRefused):
        import_customers(validation, app.unit_of_work(), app.clock)
    assert [_count(app, table) for table in ("customers", "audit_entries", "data_keys")] == [
        0,
        0,
        0,
    ]


def test_the_audit_log_verifies_after_an_import_and_names_a_tampered_entry(app):
    import_customers(validate_import([_line("C1"), _line("C2")]), app.unit_of_work(), app.clock)
    app.checkpoint_audit_log()
    assert app.verify_audit_log().ok
    with app.session_factory() as session:
        session.execute(
            text('UPDATE audit_entries SET event_bytes = :forged WHERE "index" = 1'),
            {"forged": b'{"v":1,"type":"customer.deleted"}'},
        )
        session.commit()
    report = app.verify_audit_log()
    assert not report.ok
    assert report.first_bad_index == 1
