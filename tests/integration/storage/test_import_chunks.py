# SPDX-License-Identifier: Apache-2.0
"""Imports larger than one chunk: the same result as one by one, progress per chunk, and still
all or nothing."""

import gc
import json
from dataclasses import replace

import pytest
from sqlalchemy import event, text

from rightparty.usecases.customer_import import ImportValidation, validate_import
from rightparty.usecases.customers import import_customers, random_id

pytestmark = pytest.mark.integration


def _line(ref, phone="+8613812345678", email=None):
    points = [{"channel": "sms", "address": phone, "source": "app"}]
    if email:
        points.append({"channel": "email", "address": email, "source": "app"})
    return json.dumps(
        {
            "external_ref": ref,
            "name": f"客户 {ref}",
            "locale": "zh-CN",
            "jurisdiction": "CN",
            "locations": [{"timezone": "Asia/Shanghai", "source": "address"}],
            "contact_points": points,
        },
        ensure_ascii=False,
    )


def _count(app, table):
    with app.session_factory() as session:
        return session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()  # noqa: S608


def test_an_import_of_several_chunks_stores_everyone_and_reports_progress_per_chunk(app):
    lines = [_line(f"C{n}", phone=f"+86138123456{n:02d}") for n in range(7)]
    progress = []
    report = import_customers(
        validate_import(lines),
        app.unit_of_work(),
        app.clock,
        on_progress=progress.append,
        chunk_size=3,
    )
    assert (report.created, report.updated) == (7, 0)
    assert progress == [3, 6, 7]
    with app.unit_of_work() as uow:
        assert uow.customers.count() == 7
        customer = uow.customers.by_external_ref("C5")
    assert [point.address for point in customer.contact_points] == ["+8613812345605"]
    assert _count(app, "audit_entries") == 7


def test_a_reimport_spanning_chunks_updates_known_customers_and_creates_the_rest(app):
    import_customers(validate_import([_line("C1"), _line("C3")]), app.unit_of_work(), app.clock)
    lines = [_line(f"C{n}", email=f"c{n}@example.com") for n in range(5)]
    report = import_customers(validate_import(lines), app.unit_of_work(), app.clock, chunk_size=2)
    assert (report.created, report.updated) == (3, 2)
    with app.unit_of_work() as uow:
        assert uow.customers.count() == 5
        updated = uow.customers.by_external_ref("C3")
    assert [point.address for point in updated.contact_points] == [
        "+8613812345678",
        "c3@example.com",
    ]
    assert _count(app, "contact_points") == 10


def test_a_customer_repeated_within_a_chunk_is_created_once_then_updated(app):
    # validate_import refuses a repeated external_ref; a caller building its own validation
    # still gets the upsert it would get one customer at a time.
    first, second = validate_import(
        [_line("C1"), _line("C2", phone="+8613912345678", email="c1@example.com")]
    ).customers
    validation = ImportValidation((first, _same_ref(second, "C1")), ())
    report = import_customers(validation, app.unit_of_work(), app.clock)
    assert (report.created, report.updated) == (1, 1)
    with app.unit_of_work() as uow:
        customer = uow.customers.by_external_ref("C1")
    assert [point.address for point in customer.contact_points] == [
        "+8613812345678",
        "+8613912345678",
        "c1@example.com",
    ]
    assert _count(app, "customers") == 1


def test_a_failure_in_a_later_chunk_leaves_the_database_as_it_was(app):
    made = []

    def failing_id():
        if len(made) == 5:
            raise RuntimeError("id source down")
        made.append(random_id())
        return made[-1]

    lines = [_line(f"C{n}", phone=f"+86138123456{n:02d}") for n in range(4)]
    with pytest.raises(RuntimeError, match="id source down"):
        import_customers(
            validate_import(lines), app.unit_of_work(), app.clock, new_id=failing_id, chunk_size=2
        )
    assert [_count(app, table) for table in ("customers", "contact_points", "audit_entries")] == [
        0,
        0,
        0,
    ]
    assert _count(app, "data_keys") == 0


def test_a_chunk_size_below_one_is_refused(app):
    with pytest.raises(ValueError, match="chunk_size"):
        import_customers(
            validate_import([_line("C1")]), app.unit_of_work(), app.clock, chunk_size=0
        )


def _same_ref(customer, ref):
    return replace(customer, external_ref=ref)


def test_the_cycle_collector_is_paused_only_while_an_import_runs(app):
    seen: list[bool] = []
    validation = validate_import([_line("G1"), _line("G2", phone="+8613812345679")])
    import_customers(
        validation,
        app.unit_of_work(),
        app.clock,
        on_progress=lambda _done: seen.append(gc.isenabled()),
        chunk_size=1,
    )
    assert seen == [False, False]
    assert gc.isenabled()


def test_a_failed_import_gives_the_cycle_collector_back(app):
    def failing_id() -> str:
        raise RuntimeError("id source down")

    with pytest.raises(RuntimeError):
        import_customers(
            validate_import([_line("G3")]), app.unit_of_work(), app.clock, new_id=failing_id
        )
    assert gc.isenabled()
    assert _count(app, "customers") == 0


def test_a_reimport_reads_each_chunks_known_customers_together(app):
    lines = [_line(f"R{n}", phone=f"+86138123456{n:02d}") for n in range(12)]
    import_customers(validate_import(lines), app.unit_of_work(), app.clock)
    reads: list[str] = []

    def count_customer_reads(_conn, _cursor, statement, *_args) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "FROM customers" in statement:
            reads.append(statement)

    event.listen(app.engine, "before_cursor_execute", count_customer_reads)
    try:
        report = import_customers(
            validate_import(lines), app.unit_of_work(), app.clock, chunk_size=4
        )
    finally:
        event.remove(app.engine, "before_cursor_execute", count_customer_reads)
    assert (report.created, report.updated) == (0, 12)
    # Per chunk: which refs exist, then the known customers' rows: never one read per customer.
    assert len(reads) == 2 * 3
