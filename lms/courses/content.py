"""Import the curriculum from `content/courses/<slug>/` (see content/courses/README.md).

Everything is read and checked before anything is written; one bad file stops the whole import with
`file:line: reason` and writes nothing. Rows are matched by slug and question id, so importing again
changes nothing, a changed file updates its row in place (learners keep their progress), and what
disappeared from the files is archived, never deleted."""
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from flask_babel import gettext as _
from sqlalchemy import select

from lms.courses.models import ACTIVE, ARCHIVED, PUBLISHED, Course, Lesson, Module, Question, Quiz
from lms.db import db

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
NUMBERED = re.compile(r"^(\d{2})-([a-z0-9]+(?:-[a-z0-9]+)*)$")
QUESTION_KINDS = ("single", "multiple", "true_false")
AREAS = ("mountainous", "ethnic_minority", "border", "island", "overseas")
COMPETENCY_CODES = ("LAW", "PLAN", "RES", "TEAM", "SAFE", "COMM", "EVAL", "DIGI", "INTL", "MOB", "TRAIN")
MIN_QUIZ_QUESTIONS = 5
# Words the course pages use in their own addresses (/courses/manage …): no course may take them.
RESERVED_SLUGS = frozenset({"manage", "assignments", "certificates", "quizzes", "records"})


class ContentError(ValueError):
    def __init__(self, path: Path, line: int, reason: str):
        super().__init__(f"{path}:{line}: {reason}")


# --- Reading --------------------------------------------------------------------------------------

@dataclass
class Document:
    path: Path
    meta: dict
    body: str
    lines: dict[str, int]  # line of each front-matter key

    def line(self, key: str) -> int:
        return self.lines.get(key, 1)

    def fail(self, key: str, reason: str):
        raise ContentError(self.path, self.line(key), reason)


def _key_lines(node, offset: int) -> dict[str, int]:
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {key.value: key.start_mark.line + 1 + offset for key, _value in node.value}


def _load_yaml(path: Path, text: str, offset: int = 0):
    try:
        return yaml.safe_load(text), yaml.compose(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        raise ContentError(path, (mark.line + 1 if mark else 1) + offset,
                           _("YAML không hợp lệ: %(problem)s", problem=error.problem)) from None


def read_document(path: Path) -> Document:
    """A Markdown file with YAML front matter between two `---` lines."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise ContentError(path, 1, _("phần đầu (front matter) phải bắt đầu bằng một dòng '---'"))
    try:
        end = next(i for i, line in enumerate(lines[1:], start=1) if line.strip() == "---")
    except StopIteration:
        raise ContentError(path, 1, _("phần đầu (front matter) chưa được đóng bằng một dòng '---'")) from None
    meta, node = _load_yaml(path, "\n".join(lines[1:end]), offset=1)
    if not isinstance(meta, dict):
        raise ContentError(path, 2, _("phần đầu (front matter) phải gồm các cặp 'khóa: giá trị'"))
    return Document(path, meta, "\n".join(lines[end + 1:]).strip() + "\n", _key_lines(node, 1))


def _text(doc: Document, key: str, required: bool = True, limit: int = 200) -> str:
    value = doc.meta.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            doc.fail(key, _("'%(key)s' là bắt buộc, không được để trống", key=key))
        return ""
    if not isinstance(value, (str, int, float)):
        doc.fail(key, _("'%(key)s' phải là văn bản", key=key))
    value = str(value).strip()
    if len(value) > limit:
        doc.fail(key, _("'%(key)s' không được dài quá %(limit)d ký tự", key=key, limit=limit))
    return value


def _codes(doc: Document, key: str, allowed) -> list[str]:
    value = doc.meta.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        doc.fail(key, _("'%(key)s' phải là một danh sách, ví dụ [A, B]", key=key))
    unknown = [v for v in value if allowed is not None and v not in allowed]
    if unknown:
        doc.fail(key, _("'%(key)s' có giá trị không hợp lệ: %(unknown)s (các giá trị được phép: %(allowed)s)",
                        key=key, unknown=", ".join(unknown), allowed=", ".join(allowed)))
    return value


def _flag(doc: Document, key: str, default: bool) -> bool:
    value = doc.meta.get(key, default)
    if not isinstance(value, bool):
        doc.fail(key, _("'%(key)s' phải là true hoặc false", key=key))
    return value


# --- Parsed curriculum ----------------------------------------------------------------------------

@dataclass
class LessonData:
    key: str
    position: int
    title: str
    body_md: str
    minutes: int
    competencies: list[str]
    required: bool


@dataclass
class QuestionData:
    key: str
    position: int
    kind: str
    text: str
    explanation: str
    options: list[dict]
    competencies: list[str]


@dataclass
class QuizData:
    title: str
    pass_mark: int
    max_attempts: int
    questions: list[QuestionData]


@dataclass
class ModuleData:
    key: str
    position: int
    title: str
    summary: str
    intro_md: str
    lessons: list[LessonData] = field(default_factory=list)
    quiz: QuizData | None = None


@dataclass
class CourseData:
    slug: str
    title: str
    summary: str
    description_md: str
    organisations: list[str]
    levels: list[str]
    areas: list[str]
    certificate: bool
    digest: str
    modules: list[ModuleData] = field(default_factory=list)


def _lesson(path: Path, position: int, key: str) -> LessonData:
    doc = read_document(path)
    minutes = doc.meta.get("minutes", 10)
    if not isinstance(minutes, int) or not 1 <= minutes <= 600:
        doc.fail("minutes", _("'minutes' phải là số phút nguyên từ 1 đến 600"))
    if not doc.body.strip():
        raise ContentError(path, doc.line("title"), _("bài học không có nội dung sau phần đầu (front matter)"))
    return LessonData(key, position, _text(doc, "title"), doc.body, minutes,
                      _codes(doc, "competencies", COMPETENCY_CODES), _flag(doc, "required", True))


def _question(path: Path, node, raw, position: int) -> QuestionData:
    line = node.start_mark.line + 1
    if not isinstance(raw, dict):
        raise ContentError(path, line, _("mỗi câu hỏi phải gồm các cặp 'khóa: giá trị' (id, type, text, …)"))
    key, kind = str(raw.get("id") or ""), raw.get("type")
    if not SLUG.match(key):
        raise ContentError(path, line, _("'id' của câu hỏi phải gồm các từ viết thường không dấu (a–z, 0–9) "
                                         "nối bằng dấu gạch ngang"))
    if kind not in QUESTION_KINDS:
        raise ContentError(path, line, _("câu hỏi %(key)s: 'type' phải là một trong %(kinds)s",
                                         key=key, kinds=", ".join(QUESTION_KINDS)))
    if not str(raw.get("text") or "").strip() or not str(raw.get("explanation") or "").strip():
        raise ContentError(path, line, _("câu hỏi %(key)s: cần có 'text' (nội dung câu hỏi) và 'explanation' "
                                         "(lời giải thích)", key=key))
    competencies = raw.get("competencies") or []
    if any(code not in COMPETENCY_CODES for code in competencies):
        raise ContentError(path, line, _("câu hỏi %(key)s: có mã năng lực không hợp lệ trong %(competencies)s",
                                         key=key, competencies=competencies))
    options = _options(path, line, key, kind, raw)
    return QuestionData(key, position, kind, str(raw["text"]).strip(), str(raw["explanation"]).strip(),
                        options, list(competencies))


def _options(path: Path, line: int, key: str, kind: str, raw: dict) -> list[dict]:
    if kind == "true_false":
        if not isinstance(raw.get("answer"), bool) or raw.get("options"):
            raise ContentError(path, line, _("câu hỏi %(key)s: câu hỏi true_false cần 'answer: true|false' "
                                             "và không có phương án (options)", key=key))
        return [{"key": "true", "text": "Đúng", "correct": raw["answer"]},
                {"key": "false", "text": "Sai", "correct": not raw["answer"]}]
    options = raw.get("options")
    if not isinstance(options, list) or len(options) < 2:
        raise ContentError(path, line, _("câu hỏi %(key)s: cần ít nhất hai phương án", key=key))
    if any(not isinstance(o, dict) or not str(o.get("text") or "").strip() for o in options):
        raise ContentError(path, line, _("câu hỏi %(key)s: mỗi phương án cần có 'text'", key=key))
    correct = sum(1 for o in options if o.get("correct") is True)
    if kind == "single" and correct != 1:
        raise ContentError(path, line, _("câu hỏi %(key)s: câu hỏi một lựa chọn cần đúng một phương án đúng",
                                         key=key))
    if kind == "multiple" and not 1 <= correct < len(options):
        raise ContentError(path, line, _("câu hỏi %(key)s: câu hỏi nhiều lựa chọn cần có cả phương án đúng "
                                         "và phương án sai", key=key))
    return [{"key": chr(ord("a") + i), "text": str(o["text"]).strip(), "correct": o.get("correct") is True}
            for i, o in enumerate(options)]


def _quiz(path: Path) -> QuizData:
    text = path.read_text(encoding="utf-8")
    raw, node = _load_yaml(path, text)
    if not isinstance(raw, dict) or not isinstance(raw.get("questions"), list):
        raise ContentError(path, 1, _("bài kiểm tra cần có 'title' và danh sách câu hỏi 'questions'"))
    lines = _key_lines(node, 0)
    pass_mark, attempts = raw.get("pass_mark", 70), raw.get("max_attempts", 3)
    if not isinstance(pass_mark, int) or not 1 <= pass_mark <= 100:
        raise ContentError(path, lines.get("pass_mark", 1), _("'pass_mark' phải là tỉ lệ phần trăm từ 1 đến 100"))
    if not isinstance(attempts, int) or attempts < 0:
        raise ContentError(path, lines.get("max_attempts", 1),
                           _("'max_attempts' phải là số nguyên từ 0 trở lên (0 là không giới hạn)"))
    question_nodes = next(v for k, v in node.value if k.value == "questions").value
    questions = [_question(path, n, q, i) for i, (n, q) in enumerate(zip(question_nodes, raw["questions"]))]
    if len(questions) < MIN_QUIZ_QUESTIONS:
        raise ContentError(path, lines.get("questions", 1),
                           _("bài kiểm tra của mô-đun cần ít nhất %(count)d câu hỏi", count=MIN_QUIZ_QUESTIONS))
    seen = set()
    for question, n in zip(questions, question_nodes):
        if question.key in seen:
            raise ContentError(path, n.start_mark.line + 1,
                               _("id câu hỏi %(key)s được dùng hai lần", key=question.key))
        seen.add(question.key)
    return QuizData(str(raw.get("title") or "").strip() or "Kiểm tra", pass_mark, attempts, questions)


def _numbered(path: Path) -> tuple[int, str]:
    match = NUMBERED.match(path.stem if path.is_file() else path.name)
    if not match:
        raise ContentError(path, 1, _("tên tệp hoặc thư mục phải có dạng NN-slug: hai chữ số, một dấu gạch ngang, "
                                      "rồi các từ viết thường không dấu (a–z, 0–9), ví dụ 01-gioi-thieu"))
    return int(match.group(1)), match.group(2)


def _module(directory: Path) -> ModuleData:
    position, key = _numbered(directory)
    module_file = directory / "module.md"
    if not module_file.exists():
        raise ContentError(module_file, 1, _("mỗi thư mục mô-đun cần có tệp module.md"))
    doc = read_document(module_file)
    module = ModuleData(key, position, _text(doc, "title"), _text(doc, "summary", required=False, limit=500),
                        doc.body)
    for path in sorted(directory.glob("*.md")):
        if path.name != "module.md":
            module.lessons.append(_lesson(path, *_numbered(path)))
    if not module.lessons:
        raise ContentError(module_file, 1, _("mô-đun cần có ít nhất một bài học"))
    if (directory / "quiz.yaml").exists():
        module.quiz = _quiz(directory / "quiz.yaml")
    return module


def _digest(directory: Path) -> str:
    sha = hashlib.sha256()
    for path in sorted(directory.rglob("*")):
        if path.is_file():
            sha.update(str(path.relative_to(directory)).encode())
            sha.update(path.read_bytes())
    return sha.hexdigest()


def read_course(directory: Path) -> CourseData:
    if not SLUG.match(directory.name):
        raise ContentError(directory, 1, _("tên thư mục khóa học phải gồm các từ viết thường không dấu (a–z, 0–9) "
                                           "nối bằng dấu gạch ngang"))
    if directory.name in RESERVED_SLUGS:
        raise ContentError(directory, 1, _("'%(name)s' đã được dành cho địa chỉ của các trang khóa học; "
                                           "hãy đặt tên thư mục khác", name=directory.name))
    doc = read_document(directory / "course.md")
    course = CourseData(directory.name, _text(doc, "title"), _text(doc, "summary", limit=500), doc.body,
                        _codes(doc, "organisations", None), _codes(doc, "levels", None),
                        _codes(doc, "areas", AREAS), _flag(doc, "certificate", True), _digest(directory))
    course.modules = [_module(d) for d in sorted(directory.iterdir()) if d.is_dir()]
    if not course.modules:
        raise ContentError(directory / "course.md", 1, _("khóa học cần có ít nhất một thư mục mô-đun"))
    return course


# --- Writing --------------------------------------------------------------------------------------

@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def import_directory(root: Path) -> ImportReport:
    """Import every course folder under `root/courses` (or `root` itself when it holds course folders)."""
    base = root / "courses" if (root / "courses").is_dir() else root
    courses = [read_course(d) for d in sorted(base.iterdir()) if d.is_dir() and (d / "course.md").exists()]
    report = ImportReport()
    try:
        for data in courses:
            _write_course(data, report)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return report


def _write_course(data: CourseData, report: ImportReport) -> None:
    course = db.session.scalar(select(Course).where(Course.slug == data.slug))
    if course is not None and course.content_digest == data.digest:
        report.unchanged.append(data.slug)
        return
    if course is None:
        course = Course(slug=data.slug, status=PUBLISHED, version=1, from_file=True)
        db.session.add(course)
        report.created.append(data.slug)
    else:
        course.version += 1
        report.updated.append(data.slug)
    course.title, course.summary, course.description_md = data.title, data.summary, data.description_md
    course.target_organisations, course.target_levels, course.target_areas = data.organisations, data.levels, data.areas
    course.certificate_enabled, course.content_digest = data.certificate, data.digest
    _sync(course.modules, data.modules, lambda m: Module(key=m.key), _write_module)


def _sync(rows: list, items: list, make, write) -> None:
    """Match rows to items by key: update or add each item; archive rows no longer in the files."""
    by_key = {row.key: row for row in rows}
    for item in items:
        row = by_key.pop(item.key, None)
        if row is None:
            row = make(item)
            rows.append(row)
        row.status = ACTIVE
        write(row, item)
    for row in by_key.values():
        row.status = ARCHIVED


def _write_module(module: Module, data: ModuleData) -> None:
    module.position, module.title, module.summary, module.intro_md = data.position, data.title, data.summary, data.intro_md
    _sync(module.lessons, data.lessons, lambda item: Lesson(key=item.key), _write_lesson)
    if data.quiz is None:
        if module.quiz is not None:
            module.quiz.status = ARCHIVED
        return
    if module.quiz is None:
        module.quiz = Quiz(title=data.quiz.title)
    quiz = module.quiz
    quiz.status, quiz.title, quiz.pass_mark, quiz.max_attempts = ACTIVE, data.quiz.title, data.quiz.pass_mark, data.quiz.max_attempts
    _sync(quiz.questions, data.quiz.questions, lambda item: Question(key=item.key), _write_question)


def _write_lesson(lesson: Lesson, data: LessonData) -> None:
    lesson.position, lesson.title, lesson.body_md = data.position, data.title, data.body_md
    lesson.minutes, lesson.competencies, lesson.required = data.minutes, data.competencies, data.required


def _write_question(question: Question, data: QuestionData) -> None:
    question.position, question.kind, question.text = data.position, data.kind, data.text
    question.explanation, question.options, question.competencies = data.explanation, data.options, data.competencies
