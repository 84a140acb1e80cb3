"""The unit capacity assessment: a unit answers its declared indicators with evidence, sees its computed
ones, and submits the whole up the tree; the unit above (or the central office) approves it or returns
it with a comment per indicator. Every submission, return and approval is kept as an event, the
submission with a copy of what was sent.

Who may do what:
  * submit (and save a draft): "unit_assessment.submit" over the unit itself;
  * review (approve, return): "unit_assessment.review" over the unit's parent, so a unit's own admin
    never reviews their own unit; in SQL, the unit's path lies under a scope path and is not it;
  * see: either of those, or "assessment.view" over the unit.

Status: not started → draft (saved) → submitted (locked) → returned (editable again) or approved
(locked for good). Saving and submitting need the campaign to be open; reviewing does not."""
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from werkzeug.datastructures import FileStorage

from lms.actions import RuleError
from lms.assessments.evidence import EvidenceError, has_upload, save_upload
from lms.assessments.framework import indicators_for_level
from lms.assessments.models import (
    APPROVED, COMPUTED, DECLARED, NOT_STARTED, RETURNED, SUBMITTED, UNIT_DRAFT, UNIT_STATUSES,
    Campaign, UnitAnswer, UnitAssessment, UnitAssessmentEvent, UnitIndicator)
from lms.assessments.unit_indicators import YES, NO, computed_values, display_target, display_value, is_met
from lms.auth.permissions import below_scope, can, in_scope
from lms.db import db, utcnow
from lms.i18n import N_
from lms.mail import mail_each
from lms.orgs.models import Unit
from lms.paging import Page
from lms.people.models import User
from lms.people.services import parent_reviewers, unit_admins

SUBMIT, REVIEW, VIEW = "unit_assessment.submit", "unit_assessment.review", "assessment.view"
PAGE_SIZE = 30
EDITABLE = (NOT_STARTED, UNIT_DRAFT, RETURNED)

EVENT_SUBMITTED, EVENT_RETURNED, EVENT_APPROVED = "submitted", "returned", "approved"
# Shown through _() where rendered.
EVENT_LABELS = {EVENT_SUBMITTED: N_("Gửi thẩm định"), EVENT_RETURNED: N_("Trả lại để bổ sung"),
                EVENT_APPROVED: N_("Phê duyệt")}

MAX_VALUE_NUMBER = 1_000_000
MAX_TEXT = 500
MAX_EVIDENCE_TEXT = 2000
MAX_URL = 500
MAX_COMMENT = 2000


# --- Refusals -------------------------------------------------------------------------------------

class LockedAssessment(RuleError):
    """A change asked of a submitted or approved assessment."""


class AnswersRefused(RuleError):
    """Answers that break the rules: messages per indicator code; nothing is saved."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(" ".join(m for messages in errors.values() for m in messages))
        self.errors = errors


class IncompleteAssessment(RuleError):
    """A submission with indicators unanswered or without the evidence asked: one message each,
    by indicator code; nothing is saved."""

    def __init__(self, missing: dict[str, str]):
        super().__init__(" ".join(missing.values()))
        self.missing = missing


class ReviewRefused(RuleError):
    """A review that cannot be recorded; `field` is "note", an indicator code, "comments" (none given)
    or None."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def locked_refusal() -> LockedAssessment:
    return LockedAssessment(_("Bản đánh giá đã gửi và đang được khóa, không sửa được nữa. "
                              "Nếu cần sửa, hãy đề nghị cấp thẩm định trả lại để bổ sung."))


# --- Who may do what ------------------------------------------------------------------------------

def may_submit(user, assessment: UnitAssessment) -> bool:
    return can(user, SUBMIT, assessment.unit)


def may_review(user, assessment: UnitAssessment) -> bool:
    """Reviewers of the unit above; nobody reviews a unit that has no unit above."""
    return assessment.unit.parent is not None and can(user, REVIEW, assessment.unit.parent)


def may_view(user, assessment: UnitAssessment) -> bool:
    return may_submit(user, assessment) or may_review(user, assessment) or can(user, VIEW, assessment.unit)


# --- Listings -------------------------------------------------------------------------------------

@dataclass
class AssessmentRow:
    assessment: UnitAssessment
    unit_name: str
    campaign_title: str
    last_event_at: datetime | None


def _listing(condition, number: int, campaign_id: int | None, status: str | None, order) -> Page:
    number = max(1, min(number, 100_000))
    last_event = (select(func.max(UnitAssessmentEvent.at))
                  .where(UnitAssessmentEvent.assessment_id == UnitAssessment.id)
                  .correlate(UnitAssessment).scalar_subquery())
    query = (select(UnitAssessment, Unit.name, Campaign.title, last_event, func.count().over())
             .join(Unit, Unit.id == UnitAssessment.unit_id)
             .join(Campaign, Campaign.id == UnitAssessment.campaign_id)
             .where(condition))
    if campaign_id:
        query = query.where(UnitAssessment.campaign_id == campaign_id)
    if status:
        query = query.where(UnitAssessment.status == status)
    rows = db.session.execute(query.order_by(*order, UnitAssessment.id)
                              .limit(PAGE_SIZE).offset((number - 1) * PAGE_SIZE)).all()
    items = [AssessmentRow(assessment, unit_name, title, last_at) for assessment, unit_name, title, last_at, _n in rows]
    return Page(items, rows[0][-1] if rows else 0, number, PAGE_SIZE)


def submit_page(user: User, number: int = 1, campaign_id: int | None = None, status: str = "") -> Page:
    """The assessments of units the user may submit for ("Đơn vị của tôi"), latest campaign first."""
    return _listing(in_scope(user, SUBMIT, Unit.path), number, campaign_id, status or None,
                    (Campaign.opens_on.desc(), Campaign.id.desc(), Unit.path))


def review_page(user: User, number: int = 1, campaign_id: int | None = None, status: str = SUBMITTED) -> Page:
    """Assessments of units below the user's review scope, in `status` (by default those waiting for
    review), the longest waiting first."""
    return _listing(below_scope(user, REVIEW), number, campaign_id, status or None,
                    (UnitAssessment.submitted_at.asc(), Campaign.id.desc(), Unit.path))


def campaign_choices(user: User) -> list[tuple[int, str]]:
    """Campaigns with an assessment the user may submit or review, for the listing's filter."""
    rows = db.session.execute(
        select(Campaign.id, Campaign.title, Campaign.opens_on).distinct()
        .join(UnitAssessment, UnitAssessment.campaign_id == Campaign.id)
        .join(Unit, Unit.id == UnitAssessment.unit_id)
        .where(or_(in_scope(user, SUBMIT, Unit.path), below_scope(user, REVIEW)))
        .order_by(Campaign.opens_on.desc(), Campaign.id.desc()))
    return [(campaign_id, title) for campaign_id, title, _opens in rows]


def valid_status(status: str) -> str:
    return status if status in UNIT_STATUSES else ""


# --- One assessment -------------------------------------------------------------------------------

@dataclass
class IndicatorRow:
    """An indicator as the page shows it: its value (computed, or the unit's answer), whether it meets
    the target, the unit's answer with its evidence, and the reviewer's comment."""

    indicator: UnitIndicator
    value: Any
    value_text: str
    target_text: str | None
    met: bool | None
    answer: UnitAnswer | None = None
    comment: str = ""
    evidence: dict = field(default_factory=dict)  # as submitted: text, url, file_id, filename

    @property
    def is_computed(self) -> bool:
        return self.indicator.kind == COMPUTED


def assessed_indicators(assessment: UnitAssessment) -> list[UnitIndicator]:
    return indicators_for_level(assessment.campaign.framework, assessment.unit.level.code)


def answers_by_code(assessment: UnitAssessment) -> dict[str, UnitAnswer]:
    return {answer.indicator_code: answer for answer in assessment.answers}


def shown_computed(assessment: UnitAssessment) -> dict[str, Any]:
    """The computed values as submitted once the assessment is locked, else as they stand now."""
    if assessment.is_locked and assessment.computed is not None:
        return assessment.computed
    return computed_values(assessment)


def indicator_rows(assessment: UnitAssessment) -> list[IndicatorRow]:
    level = assessment.unit.level.code
    computed = shown_computed(assessment)
    answers = answers_by_code(assessment)
    rows = []
    for indicator in assessed_indicators(assessment):
        answer = answers.get(indicator.code)
        value = computed.get(indicator.code) if indicator.kind == COMPUTED else (answer.value if answer else "")
        rows.append(IndicatorRow(indicator, value, display_value(indicator, value), display_target(indicator, level),
                                 is_met(indicator, value, level), answer,
                                 answer.review_comment if answer else ""))
    return rows


def history(assessment: UnitAssessment) -> list[UnitAssessmentEvent]:
    return list(db.session.scalars(
        select(UnitAssessmentEvent).where(UnitAssessmentEvent.assessment_id == assessment.id)
        .order_by(UnitAssessmentEvent.at, UnitAssessmentEvent.id)))


@dataclass
class Round:
    submission: UnitAssessmentEvent
    review: UnitAssessmentEvent | None
    rows: list[IndicatorRow]


def submitted_round(assessment: UnitAssessment, number: int) -> Round | None:
    """The assessment as submitted in round `number`, with the review that answered it, if any."""
    events = [e for e in history(assessment) if e.round == number]
    submission = next((e for e in events if e.action == EVENT_SUBMITTED), None)
    if submission is None:
        return None
    review = next((e for e in events if e.action in (EVENT_RETURNED, EVENT_APPROVED)), None)
    level = assessment.unit.level.code
    computed = submission.snapshot.get("computed", {})
    answers = submission.snapshot.get("answers", {})
    comments = review.comments if review else {}
    rows = []
    for indicator in assessed_indicators(assessment):
        if indicator.kind == COMPUTED:
            value, evidence = computed.get(indicator.code), {}
        else:
            evidence = answers.get(indicator.code, {})
            value = evidence.get("value", "")
        rows.append(IndicatorRow(indicator, value, display_value(indicator, value), display_target(indicator, level),
                                 is_met(indicator, value, level), None, comments.get(indicator.code, ""), evidence))
    return Round(submission, review, rows)


# --- Answering ------------------------------------------------------------------------------------

@dataclass
class AnswerInput:
    """What the unit typed for one declared indicator."""

    value: str = ""
    evidence_text: str = ""
    evidence_url: str = ""
    upload: FileStorage | None = None


def _lock(assessment: UnitAssessment) -> UnitAssessment:
    """Re-read the assessment locking its row (PostgreSQL), so two submissions or a submission and a
    review cannot interleave."""
    return db.session.scalar(select(UnitAssessment).where(UnitAssessment.id == assessment.id).with_for_update()
                             .execution_options(populate_existing=True))


def check_editable(assessment: UnitAssessment) -> None:
    if assessment.is_locked:
        raise locked_refusal()
    if not assessment.campaign.is_open:
        raise RuleError(_("Đợt đánh giá “%(title)s” không mở nên không lưu hay gửi được bản đánh giá.",
                          title=assessment.campaign.title))


def is_editable(assessment: UnitAssessment) -> bool:
    return assessment.status in EDITABLE and assessment.campaign.is_open


def _clean_value(indicator: UnitIndicator, raw: str, errors: dict[str, list[str]]) -> str:
    value = (raw or "").strip()
    if not value:
        return ""
    if indicator.answer_type == "yes_no":
        if value not in (YES, NO):
            errors.setdefault(indicator.code, []).append(
                _("“%(title)s”: hãy chọn Có hoặc Không.", title=indicator.title))
        return value
    if indicator.answer_type == "number":
        if not (value.isascii() and value.isdigit()) or int(value) > MAX_VALUE_NUMBER:
            errors.setdefault(indicator.code, []).append(
                _("“%(title)s”: hãy nhập một số nguyên từ 0 đến %(max)d.", title=indicator.title,
                  max=MAX_VALUE_NUMBER))
            return value
        return str(int(value))
    if len(value) > MAX_TEXT:
        errors.setdefault(indicator.code, []).append(
            _("“%(title)s”: câu trả lời tối đa %(max)d ký tự.", title=indicator.title, max=MAX_TEXT))
    return value


def valid_url(url: str) -> bool:
    """An http(s) address with a host, no spaces, at most MAX_URL characters."""
    if len(url) > MAX_URL or any(c.isspace() for c in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def _apply_answers(assessment: UnitAssessment, user: User, inputs: dict[str, AnswerInput]) -> None:
    """Store the unit's answers and evidence to its declared indicators; every mistake is reported at once
    and nothing is kept."""
    errors: dict[str, list[str]] = {}
    answers = answers_by_code(assessment)
    for indicator in assessed_indicators(assessment):
        if indicator.kind != DECLARED or indicator.code not in inputs:
            continue
        given = inputs[indicator.code]
        value = _clean_value(indicator, given.value, errors)
        evidence_text = (given.evidence_text or "").strip()
        if len(evidence_text) > MAX_EVIDENCE_TEXT:
            errors.setdefault(indicator.code, []).append(
                _("“%(title)s”: phần mô tả minh chứng tối đa %(max)d ký tự.", title=indicator.title,
                  max=MAX_EVIDENCE_TEXT))
        evidence_url = (given.evidence_url or "").strip()
        if evidence_url and not valid_url(evidence_url):
            errors.setdefault(indicator.code, []).append(
                _("“%(title)s”: đường dẫn minh chứng phải bắt đầu bằng http:// hoặc https:// và tối đa "
                  "%(max)d ký tự.", title=indicator.title, max=MAX_URL))
        evidence_file = None
        if has_upload(given.upload):
            try:
                evidence_file = save_upload(given.upload, user, assessment.unit)
            except EvidenceError as error:
                errors.setdefault(indicator.code, []).append(
                    _("“%(title)s”: %(reason)s", title=indicator.title, reason=str(error)))
        answer = answers.get(indicator.code)
        if answer is None:
            answer = UnitAnswer(assessment_id=assessment.id, indicator_code=indicator.code, review_comment="")
            db.session.add(answer)
            assessment.answers.append(answer)
            answers[indicator.code] = answer
        answer.value, answer.evidence_text, answer.evidence_url = value, evidence_text, evidence_url
        if evidence_file is not None:
            answer.evidence_file_id = evidence_file.id
            answer.evidence_file = evidence_file
    if errors:
        raise AnswersRefused(errors)


def save_draft(assessment: UnitAssessment, user: User, inputs: dict[str, AnswerInput]) -> UnitAssessment:
    """Keep the answers as a draft. The caller has checked `may_submit` and commits."""
    assessment = _lock(assessment)
    check_editable(assessment)
    _apply_answers(assessment, user, inputs)
    assessment.status = UNIT_DRAFT
    return assessment


def missing_for_submission(assessment: UnitAssessment) -> dict[str, str]:
    """Each declared indicator not answered, or without the evidence it asks for, with a message."""
    answers = answers_by_code(assessment)
    missing = {}
    for indicator in assessed_indicators(assessment):
        if indicator.kind != DECLARED:
            continue
        answer = answers.get(indicator.code)
        if answer is None or not answer.value:
            missing[indicator.code] = _("Chưa trả lời chỉ số “%(title)s”.", title=indicator.title)
        elif (indicator.evidence_required and answer.value != NO
              and not (answer.evidence_file_id or answer.evidence_url)):
            # A "no" has nothing to prove; any other answer shows its file or link.
            missing[indicator.code] = _("Chỉ số “%(title)s” cần minh chứng: hãy tải tệp lên hoặc dán đường dẫn.",
                                        title=indicator.title)
    return missing


def _snapshot(assessment: UnitAssessment, computed: dict) -> dict:
    answers = {}
    for answer in assessment.answers:
        answers[answer.indicator_code] = {
            "value": answer.value, "evidence_text": answer.evidence_text, "evidence_url": answer.evidence_url,
            "evidence_file_id": answer.evidence_file_id,
            "evidence_filename": answer.evidence_file.filename if answer.evidence_file else None}
    return {"computed": computed, "answers": answers}


def submit(assessment: UnitAssessment, user: User, inputs: dict[str, AnswerInput]) -> UnitAssessment:
    """Save the answers and send the assessment for review: every declared indicator answered, the
    evidence asked for given; the computed values are fixed as they stand now. The caller has checked
    `may_submit`, commits, then calls `notify`."""
    assessment = _lock(assessment)
    check_editable(assessment)
    _apply_answers(assessment, user, inputs)
    db.session.flush()
    missing = missing_for_submission(assessment)
    if missing:
        raise IncompleteAssessment(missing)
    computed = computed_values(assessment)
    assessment.computed = computed
    assessment.round += 1
    assessment.status = SUBMITTED
    assessment.submitted_at, assessment.submitted_by_id = utcnow(), user.id
    for answer in assessment.answers:
        answer.review_comment = ""
    db.session.add(UnitAssessmentEvent(assessment_id=assessment.id, action=EVENT_SUBMITTED, round=assessment.round,
                                       by_user_id=user.id, snapshot=_snapshot(assessment, computed), at=utcnow()))
    return assessment


# --- Reviewing ------------------------------------------------------------------------------------

def _clean_comments(assessment: UnitAssessment, note: str, comments: dict[str, str]) -> tuple[str, dict[str, str]]:
    note = (note or "").strip()
    if len(note) > MAX_COMMENT:
        raise ReviewRefused(_("Nhận xét chung tối đa %(max)d ký tự.", max=MAX_COMMENT), "note")
    codes = {indicator.code: indicator for indicator in assessed_indicators(assessment)}
    cleaned = {}
    for code, comment in (comments or {}).items():
        comment = (comment or "").strip()
        if code not in codes or not comment:
            continue
        if len(comment) > MAX_COMMENT:
            raise ReviewRefused(_("Nhận xét về chỉ số “%(title)s” tối đa %(max)d ký tự.", title=codes[code].title,
                                  max=MAX_COMMENT), code)
        cleaned[code] = comment
    return note, cleaned


def _check_reviewable(assessment: UnitAssessment, user: User) -> None:
    if not may_review(user, assessment):
        raise ReviewRefused(_("Bạn không có quyền thẩm định bản đánh giá của đơn vị này."))
    if assessment.status != SUBMITTED:
        raise ReviewRefused(_("Chỉ thẩm định được bản đánh giá đang chờ thẩm định."))


def approve(assessment: UnitAssessment, user: User, note: str = "", comments: dict[str, str] | None = None
            ) -> UnitAssessment:
    """Approve a submitted assessment; comments, if any, are kept in the history. The caller commits,
    then calls `notify`."""
    assessment = _lock(assessment)
    _check_reviewable(assessment, user)
    note, cleaned = _clean_comments(assessment, note, comments or {})
    assessment.status = APPROVED
    assessment.reviewed_at, assessment.reviewed_by_id = utcnow(), user.id
    db.session.add(UnitAssessmentEvent(assessment_id=assessment.id, action=EVENT_APPROVED, round=assessment.round,
                                       by_user_id=user.id, note=note, comments=cleaned, at=utcnow()))
    return assessment


def return_for_changes(assessment: UnitAssessment, user: User, note: str, comments: dict[str, str]
                       ) -> UnitAssessment:
    """Send a submitted assessment back to the unit, with at least one comment on an indicator; each
    comment is shown beside its indicator until the unit submits again."""
    assessment = _lock(assessment)
    _check_reviewable(assessment, user)
    note, cleaned = _clean_comments(assessment, note, comments)
    if not cleaned:
        raise ReviewRefused(_("Hãy ghi nhận xét cho ít nhất một chỉ số cần bổ sung trước khi trả lại."),
                            "comments")
    answers = answers_by_code(assessment)
    for code, comment in cleaned.items():
        answer = answers.get(code)
        if answer is None:
            answer = UnitAnswer(assessment_id=assessment.id, indicator_code=code, value="", evidence_text="",
                                evidence_url="")
            db.session.add(answer)
            assessment.answers.append(answer)
        answer.review_comment = comment
    for code, answer in answers.items():
        if code not in cleaned:
            answer.review_comment = ""
    assessment.status = RETURNED
    assessment.reviewed_at, assessment.reviewed_by_id = utcnow(), user.id
    db.session.add(UnitAssessmentEvent(assessment_id=assessment.id, action=EVENT_RETURNED, round=assessment.round,
                                       by_user_id=user.id, note=note, comments=cleaned, at=utcnow()))
    return assessment


# --- Telling people -------------------------------------------------------------------------------

_SUBJECTS = {
    EVENT_SUBMITTED: N_("Đơn vị %(unit)s đã gửi bản đánh giá năng lực chờ thẩm định"),
    EVENT_RETURNED: N_("Bản đánh giá năng lực của %(unit)s bị trả lại để bổ sung"),
    EVENT_APPROVED: N_("Bản đánh giá năng lực của %(unit)s đã được phê duyệt"),
}


def notify(assessment: UnitAssessment, action: str, by: User, note: str = "") -> int:
    """E-mail the people the step concerns, each in their own language: the reviewers of the unit above on a
    submission, the unit's own admins on a return or an approval. Call after the commit. Returns how many
    were sent."""
    recipients = parent_reviewers(assessment.unit) if action == EVENT_SUBMITTED else unit_admins(assessment.unit)
    link = url_for("assessments.unit_assessment", assessment_id=assessment.id, _external=True)
    return mail_each([person for person in recipients if person.id != by.id], _SUBJECTS[action],
                     {"unit": assessment.unit.name}, f"assessments/unit_email_{action}.txt",
                     assessment=assessment, by=by, link=link, note=note).sent
