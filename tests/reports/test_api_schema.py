"""The API against its own OpenAPI document: requests generated from the document (valid ones, and invalid
ones that must be refused) with the central admin's token over the fixture tree; every answer must be no
server error, carry a documented status code and content type, and match the documented schema."""
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

from lms.courses.content import import_directory
from lms.courses.models import Course, Enrolment
from lms.db import db, utcnow
from lms.orgs.services import close_unit
from lms.reports import api_tokens
from tests.conftest import write_course

CONFORMANCE = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 12  # per operation and mode: the whole test stays within a few seconds


def _settings():
    return settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
                    phases=[Phase.explicit, Phase.generate, Phase.shrink], suppress_health_check=list(HealthCheck))


@pytest.fixture()
def fixture_data(tree, make_user, framework, tmp_path):
    """Some figures for the tables to show: a core course with enrolments, cadres, a closed branch."""
    write_course(tmp_path, slug="quan-ly-dieu-phoi-tinh-nguyen", title="Quản lý, điều phối hoạt động tình nguyện")
    import_directory(tmp_path)
    core = db.session.scalar(select(Course))
    for number, unit in enumerate((tree.grassroots_a, tree.branch_a, tree.grassroots_b, tree.branch_b)):
        cadre = make_user(unit, f"Cán Bộ Số {number}")
        db.session.add(Enrolment(user_id=cadre.id, course_id=core.id, completed_at=utcnow() if number % 2 else None))
    close_unit(tree.branch_b, "Sáp nhập")
    db.session.commit()
    return tree


def test_the_api_keeps_to_its_openapi_document(app, client, fixture_data, central_admin):
    tree = fixture_data
    _token, secret = api_tokens.create_token(central_admin, "Kiểm tra tài liệu", 365)
    db.session.commit()
    auth = {"Authorization": f"Bearer {secret}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.label for op in operations} == {
        "GET /api/v1/units", "GET /api/v1/units/{unit_id}", "GET /api/v1/courses",
        "GET /api/v1/units/{unit_id}/reports/{key}", "GET /api/v1/units/{unit_id}/summary"}
    # (the document's own endpoint is left out by the loader; tests/reports/test_api.py checks it)
    # Generated ids would almost never name a unit of the small tree: draw them from the tree (and one
    # that names nothing), so that the tables are really built.
    unit_ids = st.sampled_from([u.id for u in vars(tree).values()] + [999_999])
    statuses = {}

    for operation in operations:
        @given(case=operation.as_strategy(GenerationMode.POSITIVE, headers=auth), unit_id=unit_ids)
        @_settings()
        def valid_requests(case, unit_id):
            if "unit_id" in (case.path_parameters or {}):
                case.path_parameters["unit_id"] = unit_id
            if case.query and "parent" in case.query:
                case.query["parent"] = unit_id
            response = case.call_and_validate(checks=[*CONFORMANCE, ignored_auth])
            statuses.setdefault(operation.label, set()).add(response.status_code)

        @given(case=operation.as_strategy(GenerationMode.NEGATIVE, headers=auth))
        @_settings()
        def invalid_requests(case):
            case.call_and_validate(checks=[*CONFORMANCE, negative_data_rejection])

        valid_requests()
        if operation.label != "GET /api/v1/courses":
            invalid_requests()  # (operations without parameters have no invalid request to make)

    # Every operation answered with data at least once: the checks above saw real tables, not only 404s.
    assert all(200 in codes for codes in statuses.values()), statuses
