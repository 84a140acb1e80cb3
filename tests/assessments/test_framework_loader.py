"""The competency framework files (content/competencies/v<N>.yaml): importing a version creates it
published with all its parts; an unchanged file is left alone; a published version never changes;
a bad file is refused with `file:line: reason` and nothing is written; the shipped framework loads."""
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lms.assessments.framework import (
    expected_levels, import_frameworks, indicators_for_level, latest_published, latest_version, read_framework)
from lms.assessments.models import (
    BY_LEVEL, BY_ROLE, PUBLISHED, Competency, Domain, Expectation, Framework, UnitIndicator)
from lms.courses.content import COMPETENCY_CODES, ContentError
from lms.db import db
from lms.orgs.models import UnitLevel
from lms.people.models import VOLUNTEER_ROLES
from tests.conftest import ROOT, write_course

SMALL = (ROOT / "tests/assessments/small_framework.yaml").read_text(encoding="utf-8")


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def write(folder: Path, text: str = SMALL, name: str = "v1.yaml") -> Path:
    (folder / "competencies").mkdir(exist_ok=True)
    path = folder / "competencies" / name
    path.write_text(text, encoding="utf-8")
    return path


def changed(old: str, new: str, text: str = SMALL) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """The 1-based line of the `occurrence`-th line containing `needle`."""
    found = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    return found[occurrence - 1]


# --- Importing ------------------------------------------------------------------------------------

def test_import_creates_a_published_version_with_every_part(reference, tmp_path):
    write(tmp_path)
    report = import_frameworks(tmp_path)
    assert report.created == [1] and report.unchanged == []

    framework = db.session.scalar(select(Framework))
    assert framework.version == 1 and framework.status == PUBLISHED and framework.published_at is not None
    assert framework.from_file and framework.title == "Khung năng lực thử"
    assert framework.level_labels["4"] == {"name": "Dẫn dắt", "description": "Hướng dẫn người khác và xây dựng mô hình."}
    assert [(d.code, [c.code for c in d.competencies]) for d in framework.domains] == [
        ("D1", ["PLAN", "TEAM"]), ("D2", ["SAFE", "TRAIN"])]
    plan = framework.competencies[0]
    assert plan.description == "Lập kế hoạch hoạt động tình nguyện từ nhu cầu thực tế."
    assert plan.indicators == {"1": ["Kể được các bước lập kế hoạch."], "2": ["Lập được kế hoạch một hoạt động nhỏ."],
                               "3": ["Lập được kế hoạch năm của đơn vị."], "4": ["Hướng dẫn cấp dưới lập kế hoạch."]}
    assert count(Expectation) == 4 * 4 + 2
    assert {(e.key, e.competency_code, e.level) for e in framework.expectations if e.kind == BY_ROLE} == {
        ("coordinator", "PLAN", 3), ("coordinator", "SAFE", 3)}

    indicators = {i.code: i for i in framework.unit_indicators}
    assert list(indicators) == ["core-course", "trainers", "cohorts", "participation", "coordinator", "clubs",
                                "highlights"]
    assert indicators["core-course"].kind == "computed" and indicators["core-course"].source == "core_course_completion"
    assert indicators["core-course"].answer_type == "number" and indicators["core-course"].unit == "%"
    assert indicators["core-course"].targets == {"province": 70, "grassroots": 50}
    assert indicators["coordinator"].evidence_required and indicators["coordinator"].targets == {
        "province": True, "grassroots": True}
    assert indicators["highlights"].answer_type == "text" and indicators["highlights"].targets == {"province": None}


def test_lookups_answer_from_the_imported_version(framework):
    assert latest_version() == 1 and latest_published() == framework
    # The higher of the unit level's and the role's expectation.
    assert expected_levels(framework, "grassroots", None) == {"PLAN": 2, "TEAM": 3, "SAFE": 2, "TRAIN": 2}
    assert expected_levels(framework, "grassroots", "coordinator") == {"PLAN": 3, "TEAM": 3, "SAFE": 3, "TRAIN": 2}
    assert expected_levels(framework, "central", "coordinator")["PLAN"] == 4
    assert [i.code for i in indicators_for_level(framework, "province")] == [
        "core-course", "trainers", "cohorts", "participation", "coordinator", "clubs", "highlights"]
    assert [i.code for i in indicators_for_level(framework, "grassroots")] == [
        "core-course", "cohorts", "participation", "coordinator", "clubs"]
    assert indicators_for_level(framework, "branch") == []


def test_importing_an_unchanged_file_again_changes_nothing(reference, tmp_path):
    write(tmp_path)
    import_frameworks(tmp_path)
    first = db.session.scalar(select(Framework))
    published_at, competency_ids = first.published_at, [c.id for c in first.competencies]

    report = import_frameworks(tmp_path)
    assert report.created == [] and report.unchanged == [1]
    db.session.expire_all()
    assert count(Framework) == 1 and count(Competency) == 4 and count(UnitIndicator) == 7
    again = db.session.scalar(select(Framework))
    assert again.published_at == published_at and [c.id for c in again.competencies] == competency_ids


def test_a_published_version_whose_file_changed_is_refused(reference, tmp_path):
    path = write(tmp_path)
    import_frameworks(tmp_path)
    path.write_text(changed("title: Khung năng lực thử", "title: Khung năng lực đã sửa"), encoding="utf-8")

    with pytest.raises(ContentError, match=r"v1\.yaml:1: phiên bản 1 đã được phát hành nên không thể thay đổi; "
                                           r"hãy đưa các thay đổi vào tệp v2\.yaml"):
        import_frameworks(tmp_path)
    db.session.expire_all()
    assert db.session.scalar(select(Framework.title)) == "Khung năng lực thử"
    assert count(Framework) == 1


def test_a_new_version_is_added_beside_the_old_one(reference, tmp_path):
    write(tmp_path)
    import_frameworks(tmp_path)
    write(tmp_path, changed("version: 1", "version: 2"), "v2.yaml")
    report = import_frameworks(tmp_path)
    assert report.created == [2] and report.unchanged == [1]
    assert latest_version() == 2 and latest_published().version == 2
    assert count(Competency) == 8


# --- Bad files ------------------------------------------------------------------------------------

# (what to change, into what, the line to report (a text on it), the reason)
BAD_FILES = {
    "unknown competency code": ("      - code: TEAM", "      - code: TEAMS", "code: TEAMS",
                                "mã năng lực 'TEAMS' không hợp lệ (các mã được phép: LAW, PLAN, RES, TEAM, SAFE, "
                                "COMM, EVAL, DIGI, INTL, MOB, TRAIN)"),
    "missing level indicators": ("          4: [Xây dựng mạng lưới đội hình.]\n", "",
                                 ("indicators:", 2),  # TEAM's
                                 "TEAM: 'indicators' phải liệt kê biểu hiện ở từng mức 1, 2, 3 và 4"),
    "empty level indicators": ("          2: [Dạy được một bài ngắn.]", "          2: []", "2: []",
                               "'2' phải là một danh sách có ít nhất một mục"),
    "incomplete level expectations": ("branch: {PLAN: 1, TEAM: 2, SAFE: 2, TRAIN: 1}",
                                      "branch: {PLAN: 1, TEAM: 2, SAFE: 2}", "branch: {",
                                      "branch: chưa có mức yêu cầu cho TRAIN"),
    "expectation of a competency not in the file": ("coordinator: {PLAN: 3, SAFE: 3}",
                                                    "coordinator: {PLAN: 3, LAW: 3}", "coordinator: {PLAN",
                                                    "coordinator: 'LAW' không phải là năng lực của khung năng lực này"),
    "expected level out of range": ("central: {PLAN: 4, TEAM: 3", "central: {PLAN: 5, TEAM: 3", "central: {",
                                    "central: mức yêu cầu của PLAN phải là 1, 2, 3 hoặc 4"),
    "expected level that is not a number": ("central: {PLAN: 4, TEAM: 3", "central: {PLAN: true, TEAM: 3",
                                            "central: {", "central: mức yêu cầu của PLAN phải là 1, 2, 3 hoặc 4"),
    "unknown unit level in expectations": ("    province: {PLAN: 3", "    provinse: {PLAN: 3", "provinse: {",
                                           "không có cấp đơn vị 'provinse' (các cấp đơn vị hiện có: branch, central, "
                                           "grassroots, province)"),
    "unknown unit level in targets": ("targets: {province: 2}", "targets: {district: 2}", "targets: {district",
                                      "không có cấp đơn vị 'district'"),
    "misspelt key": ("    evidence_required: true", "    evidence_requred: true", "evidence_requred: true",
                     "khóa 'evidence_requred' không hợp lệ (các khóa được phép: code, title, description, kind, "
                     "source, answer_type, unit, targets, evidence_required)"),
    "unknown role": ("    coordinator: {PLAN: 3", "    captain: {PLAN: 3", "captain: {",
                     "không có vai trò 'captain' (các vai trò hiện có: coordinator, secretary, team_leader)"),
    "yes/no target that is a number": ("targets: {province: true, grassroots: true}",
                                       "targets: {province: true, grassroots: 5}", "grassroots: 5}",
                                       "chỉ tiêu cho grassroots không phù hợp với chỉ số loại yes_no"),
    "negative number target": ("targets: {province: 10, grassroots: 2}", "targets: {province: 10, grassroots: -2}",
                               "grassroots: -2", "chỉ tiêu cho grassroots không phù hợp với chỉ số loại number"),
    "text target": ("targets: {province: null}", "targets: {province: nhiều}", "province: nhiều",
                    "chỉ tiêu cho province không phù hợp với chỉ số loại text"),
    "no target": ("targets: {province: null}", "targets: {}", "targets: {}",
                  "'targets' phải nêu ít nhất một cấp đơn vị"),
    "unknown computed source": ("source: certified_trainers", "source: trainer_count", "source: trainer_count",
                                "trainers: 'source' phải là một trong core_course_completion, certified_trainers, "
                                "cohorts_vs_plan, campaign_participation"),
    "duplicate competency code": ("      - code: SAFE", "      - code: PLAN", ("- code: PLAN", 2),
                                  "năng lực PLAN xuất hiện hai lần"),
    "duplicate domain code": ("  - code: D2", "  - code: D1", ("- code: D1", 2), "lĩnh vực D1 xuất hiện hai lần"),
    "duplicate indicator code": ("  - code: clubs", "  - code: trainers", ("- code: trainers", 2),
                                 "chỉ số trainers xuất hiện hai lần"),
    "levels other than 1 to 4": ("  4: {name: Dẫn dắt", "  x: {name: Dẫn dắt", "levels:",
                                 "'levels' phải có đúng các mức 1, 2, 3 và 4"),
    "missing title": ("title: Khung năng lực thử\n", "", "version: 1", "'title' là bắt buộc, không được để trống"),
    "version and file name disagree": ("version: 1", "version: 2", "version: 2",
                                       "tên tệp ghi phiên bản 1 nhưng 'version' là 2"),
    "invalid YAML": ("    title: An toàn và tập huấn", "    title: An toàn: và tập huấn", "title: An toàn:",
                     "YAML không hợp lệ: mapping values are not allowed here"),
}


@pytest.mark.parametrize("case", BAD_FILES, ids=list(BAD_FILES))
def test_a_bad_file_is_refused_at_its_line_and_nothing_is_written(reference, tmp_path, case):
    old, new, on_line, reason = BAD_FILES[case]
    text = changed(old, new)
    line = line_of(text, *on_line) if isinstance(on_line, tuple) else line_of(text, on_line)
    write(tmp_path, text)
    with pytest.raises(ContentError) as refused:
        import_frameworks(tmp_path)
    message = str(refused.value)
    assert message.startswith(f"{tmp_path / 'competencies' / 'v1.yaml'}:{line}: "), message
    assert reason in message
    assert count(Framework) == count(Domain) == count(Competency) == count(Expectation) == 0


def test_an_indicator_longer_than_the_limit_is_refused(reference, tmp_path):
    write(tmp_path, changed("1: [Hỗ trợ tập huấn viên.]", "1: [" + "Hỗ trợ " * 80 + "]"))
    with pytest.raises(ContentError, match=r"v1\.yaml:\d+: '1' không được dài quá 500 ký tự"):
        import_frameworks(tmp_path)


def test_a_file_that_is_not_utf8_is_refused_with_its_name(reference, tmp_path):
    (tmp_path / "competencies").mkdir()
    (tmp_path / "competencies" / "v1.yaml").write_bytes(SMALL.encode("utf-16"))
    with pytest.raises(ContentError, match=r"v1\.yaml:1: tệp không phải văn bản UTF-8"):
        import_frameworks(tmp_path)


def test_files_not_named_like_a_version_are_ignored(reference, tmp_path):
    write(tmp_path)
    write(tmp_path, "not: a framework", "draft.yaml")
    write(tmp_path, "not: a framework", "v1-old.yaml")
    assert import_frameworks(tmp_path).created == [1]


def test_without_unit_levels_in_the_database_any_level_code_is_accepted(app_ctx, tmp_path):
    write(tmp_path, changed("targets: {province: 2}", "targets: {district: 2}"))
    assert import_frameworks(tmp_path).created == [1]


# --- All or nothing -------------------------------------------------------------------------------

def test_one_bad_file_stops_every_version(reference, tmp_path):
    write(tmp_path)
    write(tmp_path, changed("version: 1", "version: 2").replace("- code: TEAM", "- code: TEAMS"), "v2.yaml")
    with pytest.raises(ContentError, match=r"v2\.yaml:\d+: mã năng lực 'TEAMS' không hợp lệ"):
        import_frameworks(tmp_path)
    assert count(Framework) == 0


def test_a_refusal_while_writing_undoes_the_versions_written_before_it(reference, tmp_path):
    # Version 2 is in the database; its file has changed since, and a new version 1 comes with it.
    write(tmp_path, changed("version: 1", "version: 2"), "v2.yaml")
    import_frameworks(tmp_path)
    write(tmp_path, changed("version: 1", "version: 2").replace("Khung năng lực thử", "Khung sửa"), "v2.yaml")
    write(tmp_path)
    with pytest.raises(ContentError, match=r"v2\.yaml:1: phiên bản 2 đã được phát hành nên không thể thay đổi"):
        import_frameworks(tmp_path)
    db.session.expire_all()
    assert db.session.scalars(select(Framework.version)).all() == [2]
    assert count(Competency) == 4


def test_a_file_for_the_version_of_a_web_draft_replaces_the_draft_and_publishes_it(framework, central_admin,
                                                                                  tmp_path):
    from lms.assessments.framework_editing import start_draft

    start_draft(central_admin)
    db.session.commit()
    write(tmp_path)
    write(tmp_path, changed("version: 1", "version: 2").replace("Khung năng lực thử", "Khung năng lực mới"), "v2.yaml")
    report = import_frameworks(tmp_path)
    assert report.created == [2] and report.unchanged == [1]
    db.session.expire_all()
    second = db.session.scalar(select(Framework).where(Framework.version == 2))
    assert second.status == PUBLISHED and second.title == "Khung năng lực mới"
    assert count(Framework) == 2 and count(Competency) == 8 and count(UnitIndicator) == 14


# --- The command ----------------------------------------------------------------------------------

def test_the_content_import_command_loads_courses_and_framework_versions(app, reference, tmp_path):
    write_course(tmp_path)
    write(tmp_path)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["lms", "content", "import", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "Khóa học: tạo mới 1, cập nhật 0, giữ nguyên 0." in result.output
    assert "Phiên bản khung năng lực: tạo mới 1, giữ nguyên 0." in result.output
    assert latest_published().version == 1

    again = runner.invoke(args=["lms", "content", "import", str(tmp_path)])
    assert again.exit_code == 0, again.output
    assert "Phiên bản khung năng lực: tạo mới 0, giữ nguyên 1." in again.output


def test_the_content_import_command_names_the_bad_line(app, reference, tmp_path):
    (tmp_path / "courses").mkdir()
    text = changed("branch: {PLAN: 1, TEAM: 2, SAFE: 2, TRAIN: 1}", "branch: {PLAN: 1, TEAM: 2}")
    write(tmp_path, text)
    result = app.test_cli_runner().invoke(args=["lms", "content", "import", str(tmp_path)])
    assert result.exit_code != 0
    assert f"v1.yaml:{line_of(text, 'branch: {')}: branch: chưa có mức yêu cầu cho SAFE, TRAIN" in result.output
    assert count(Framework) == 0


# --- The shipped framework ------------------------------------------------------------------------

def test_the_shipped_framework_imports_cleanly_and_covers_every_competency(reference):
    shipped = ROOT / "content" / "competencies"
    files = sorted(shipped.glob("v*.yaml"))
    assert files, "content/competencies holds no version"
    report = import_frameworks(ROOT / "content")
    assert report.created == sorted(int(path.stem[1:]) for path in files)

    latest = latest_published()
    assert sorted(c.code for c in latest.competencies) == sorted(COMPETENCY_CODES)
    for competency in latest.competencies:
        assert all(competency.indicators.get(str(level)) for level in (1, 2, 3, 4)), competency.code
    levels = set(db.session.scalars(select(UnitLevel.code)))
    by_level = {e.key for e in latest.expectations if e.kind == BY_LEVEL}
    assert by_level == levels
    assert {e.key for e in latest.expectations if e.kind == BY_ROLE} <= set(VOLUNTEER_ROLES)
    assert latest.unit_indicators and all(i.targets for i in latest.unit_indicators)
    # Every unit level below the centre has something to assess itself on.
    for code in levels - {"central"}:
        assert indicators_for_level(latest, code), code

    # And reading it again finds it unchanged.
    assert import_frameworks(ROOT / "content").created == []
    assert read_framework(files[-1], levels).version == latest.version
