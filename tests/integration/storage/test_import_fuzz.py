# SPDX-License-Identifier: Apache-2.0
"""Whatever a bad file holds, a refused import leaves every table exactly as it was."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from rightparty.usecases.customer_import import validate_import
from rightparty.usecases.customers import ImportRefused, import_customers

pytestmark = pytest.mark.integration

TABLES = ("customers", "contact_points", "consents", "restrictions", "data_keys", "audit_entries")
GOOD = {
    "external_ref": "KEEP1",
    "name": "王小明",
    "locale": "zh-CN",
    "jurisdiction": "CN",
    "contact_points": [{"channel": "sms", "address": "+8613812345678", "source": "app"}],
}
bad_lines = st.one_of(
    st.text(max_size=80).filter(lambda line: line.strip() != ""),
    st.builds(
        lambda field, value: json.dumps({**GOOD, "external_ref": "NEW1", field: value}),
        st.sampled_from(["name", "locale", "jurisdiction", "contact_points", "phone_book", "x"]),
        st.one_of(st.none(), st.integers(), st.text(max_size=400), st.lists(st.text(), max_size=3)),
    ),
)


def _snapshot(app):
    with app.session_factory() as session:
        return {
            table: session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()  # noqa: S608 - fixed names
            for table in TABLES
        }


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bad=st.lists(bad_lines, min_size=1, max_size=3), position=st.integers(0, 2))
def test_a_file_with_any_bad_line_changes_nothing(app, bad, position):
    if not _snapshot(app)["customers"]:
        import_customers(validate_import([json.dumps(GOOD)]), app.unit_of_work(), app.clock)
    before = _snapshot(app)
    good_lines = [json.dumps({**GOOD, "external_ref": f"NEW{n}"}) for n in range(2, 4)]
    lines = good_lines[:position] + bad + good_lines[position:]
    validation = validate_import(lines)
    if validation.ok:  # the draw happened to be valid: nothing to refuse
        return
    with pytest.raises(ImportRefused):
        import_customers(validation, app.unit_of_work(), app.clock)
    assert _snapshot(app) == before
    assert all(str(error).startswith(f"line {error.line}: ") for error in validation.errors)
