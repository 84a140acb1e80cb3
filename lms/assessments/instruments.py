"""The rating instruments of a campaign: a cadre's self-assessment (a level per competency, read against
its behavioural indicators, with optional evidence), the assessment by an administrator of the unit
above (a level and a comment per competency, with the self-assessment beside it), and the queue of
cadres waiting for that assessment. The practicum rubric is read by scoring.recompute.

Each save is checked whole before anything is written: a refused one raises RatingsRefused with a
message per field, and the caller rolls back so nothing is kept (not even an uploaded file)."""
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import case, func, select
from werkzeug.datastructures import FileStorage

from lms.actions import RuleError
from lms.assessments import scoring
from lms.assessments.evidence import EvidenceError, has_upload, save_upload
from lms.assessments.models import (
    CAMPAIGN_DRAFT, CAMPAIGN_OPEN, INSTRUMENT_LABELS, PROFICIENCY_LEVELS, SELF, SUPERVISOR, Campaign, Competency,
    Domain, Framework, Participant, Rating)
from lms.auth.permissions import below_scope, can, scope_paths
from lms.db import db, utcnow
from lms.i18n import N_
from lms.orgs.models import Unit
from lms.paging import PAGE_SIZE, Page
from lms.people.models import User
from lms.people.services import search_condition

MAX_TEXT = 2000
MAX_URL = 500
MAX_PAGE = 100_000
SUPERVISE = "assessment.supervise"


class InstrumentError(RuleError):
    """An assessment action the rules refuse; the message is for the user."""


class RatingsRefused(InstrumentError):
    """Ratings that cannot be saved: `errors` maps a form field name (level_PLAN, evidence_url_PLAN …)
    to its messages."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__(_("Chưa lưu được: hãy sửa các lỗi được nêu."))


@dataclass
class RatingInput:
    """What was given for one competency: a level 1–4 (None when not chosen) and, for a self-assessment,
    evidence — or, for a supervisor, a comment (kept in `text`)."""

    level: int | None
    text: str = ""
    url: str = ""
    upload: FileStorage | None = None


# --- The campaign ---------------------------------------------------------------------------------

def not_open_message(campaign: Campaign) -> str:
    if campaign.status == CAMPAIGN_DRAFT:
        return _("Đợt đánh giá “%(title)s” chưa bắt đầu, nên chưa thể đánh giá.", title=campaign.title)
    return _("Đợt đánh giá “%(title)s” đã kết thúc, nên không thể gửi hay sửa đánh giá nữa.", title=campaign.title)


def require_open(campaign: Campaign, instrument: str) -> None:
    if not campaign.uses(instrument):
        raise InstrumentError(_("Đợt đánh giá này không dùng “%(name)s”.", name=_(INSTRUMENT_LABELS[instrument])))
    if not campaign.is_open:
        raise InstrumentError(not_open_message(campaign))


def lock(participant: Participant) -> None:
    """Hold the participant's row until the transaction ends, so two saves for the same cadre (the cadre
    and their supervisor at once) recompute one after the other."""
    db.session.execute(select(Participant.id).where(Participant.id == participant.id).with_for_update())


# --- The rating sheet -----------------------------------------------------------------------------

@dataclass
class LevelChoice:
    level: int
    name: str
    description: str
    indicators: list[str]


@dataclass
class SheetItem:
    competency: Competency
    levels: list[LevelChoice]


@dataclass
class SheetGroup:
    domain: Domain
    items: list[SheetItem] = field(default_factory=list)


def level_names(framework: Framework) -> dict[int, str]:
    labels = framework.level_labels or {}
    return {level: (labels.get(str(level)) or {}).get("name", "") for level in PROFICIENCY_LEVELS}


def rating_sheet(framework: Framework) -> list[SheetGroup]:
    """The competencies of the framework grouped by domain, each with the four levels and that
    competency's indicators for each level."""
    labels = framework.level_labels or {}
    groups = []
    for domain in framework.domains:
        group = SheetGroup(domain)
        for competency in domain.competencies:
            indicators = competency.indicators or {}
            group.items.append(SheetItem(competency, [
                LevelChoice(level, (labels.get(str(level)) or {}).get("name", ""),
                            (labels.get(str(level)) or {}).get("description", ""),
                            list(indicators.get(str(level)) or []))
                for level in PROFICIENCY_LEVELS]))
        groups.append(group)
    return groups


def ratings_of(participant: Participant, source: str) -> dict[str, Rating]:
    """The participant's ratings from one instrument, by competency code."""
    return {rating.competency_code: rating for rating in db.session.scalars(
        select(Rating).where(Rating.participant_id == participant.id, Rating.source == source))}


# --- Checking what was given ----------------------------------------------------------------------

def _is_web_address(text: str) -> bool:
    if any(character.isspace() for character in text):
        return False
    try:
        parts = urlsplit(text)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def check_ratings(framework: Framework, answers: dict[str, RatingInput], evidence: bool) -> dict[str, list[str]]:
    """Every mistake in the answers, by form field name; empty when they can be saved. Every competency
    needs a level; evidence text (or a comment) is at most 2000 characters; a link is an http(s) address."""
    errors: dict[str, list[str]] = {}
    for competency in framework.competencies:
        code, title = competency.code, competency.title
        answer = answers.get(code) or RatingInput(None)
        if answer.level not in PROFICIENCY_LEVELS:
            errors[f"level_{code}"] = [_("Hãy chọn mức năng lực cho “%(title)s”.", title=title)]
        text = answer.text or ""
        if evidence:
            if len(text) > MAX_TEXT:
                errors[f"evidence_text_{code}"] = [_("Minh chứng cho “%(title)s” dài quá %(max)d ký tự.",
                                                     title=title, max=MAX_TEXT)]
            url = answer.url or ""
            if len(url) > MAX_URL:
                errors[f"evidence_url_{code}"] = [_("Đường dẫn minh chứng cho “%(title)s” dài quá %(max)d ký tự.",
                                                    title=title, max=MAX_URL)]
            elif url and not _is_web_address(url):
                errors[f"evidence_url_{code}"] = [_(
                    "Đường dẫn minh chứng cho “%(title)s” phải là một địa chỉ web bắt đầu bằng http:// hoặc https://.",
                    title=title)]
        elif len(text) > MAX_TEXT:
            errors[f"comment_{code}"] = [_("Nhận xét về “%(title)s” dài quá %(max)d ký tự.", title=title, max=MAX_TEXT)]
    return errors


def _store(participant: Participant, source: str, rated_by: User, answers: dict[str, RatingInput],
           evidence: bool) -> list[Rating]:
    """Check the answers, keep the uploaded files, and write one rating a competency. Raises
    RatingsRefused with every mistake at once; files already kept then go with the rollback."""
    framework = participant.campaign.framework
    errors = check_ratings(framework, answers, evidence)
    files = {}
    if evidence:
        for competency in framework.competencies:
            upload = (answers.get(competency.code) or RatingInput(None)).upload
            if has_upload(upload):
                try:
                    files[competency.code] = save_upload(upload, rated_by, participant.unit)
                except EvidenceError as error:
                    errors[f"evidence_file_{competency.code}"] = [str(error)]
    if errors:
        raise RatingsRefused(errors)

    existing = ratings_of(participant, source)
    now = utcnow()
    saved = []
    for competency in framework.competencies:
        answer = answers[competency.code]
        rating = existing.get(competency.code)
        if rating is None:
            rating = Rating(participant_id=participant.id, source=source, competency_code=competency.code)
        rating.level, rating.rated_by_id, rating.rated_at = answer.level, rated_by.id, now
        rating.evidence_text = answer.text
        if evidence:
            rating.evidence_url = answer.url
            if competency.code in files:
                rating.evidence_file_id = files[competency.code].id
        db.session.add(rating)
        saved.append(rating)
    db.session.flush()
    return saved


def _clean(answers: dict[str, RatingInput]) -> dict[str, RatingInput]:
    return {code: RatingInput(answer.level, (answer.text or "").strip(), (answer.url or "").strip(), answer.upload)
            for code, answer in answers.items()}


# --- Self-assessment ------------------------------------------------------------------------------

def may_self_assess(user: User, participant: Participant) -> bool:
    return user is not None and participant.user_id == user.id


def save_self_assessment(participant: Participant, user: User, answers: dict[str, RatingInput]) -> list[Rating]:
    """Save (or replace) the cadre's own rating of every competency, with the evidence given; an earlier
    file stays unless a new one replaces it. Marks the self-assessment done and recomputes the results.
    The caller commits, or rolls back when this raises."""
    if not may_self_assess(user, participant):
        raise InstrumentError(_("Chỉ chính cán bộ được tự đánh giá."))
    require_open(participant.campaign, SELF)
    lock(participant)
    saved = _store(participant, SELF, user, _clean(answers), evidence=True)
    participant.self_done_at = utcnow()
    scoring.recompute(participant)
    return saved


# --- Supervisor assessment ------------------------------------------------------------------------

def may_supervise(user: User, participant: Participant) -> bool:
    """An administrator of the unit above the cadre's (never the cadre themself)."""
    return (user is not None and participant.user_id != user.id
            and can(user, SUPERVISE, participant.unit.parent if participant.unit else None))


def save_supervisor_assessment(participant: Participant, supervisor: User,
                               answers: dict[str, RatingInput]) -> list[Rating]:
    """Save (or replace) the supervisor's rating and comment on every competency, mark the supervisor
    assessment done by `supervisor`, and recompute. The caller commits, or rolls back when this raises."""
    if participant.user_id == supervisor.id:
        raise InstrumentError(_("Bạn không thể tự đánh giá mình với vai trò cấp trên."))
    if not may_supervise(supervisor, participant):
        raise InstrumentError(_("Bạn không có quyền đánh giá cán bộ này."))
    require_open(participant.campaign, SUPERVISOR)
    lock(participant)
    saved = _store(participant, SUPERVISOR, supervisor, _clean(answers), evidence=False)
    participant.supervisor_done_at, participant.supervisor_id = utcnow(), supervisor.id
    scoring.recompute(participant)
    return saved


# --- The supervision queue ------------------------------------------------------------------------

TODO, DONE = "todo", "done"
QUEUE_STATUS_LABELS = {TODO: N_("Chưa đánh giá"), DONE: N_("Đã đánh giá")}


@dataclass(frozen=True)
class QueueFilter:
    campaign_id: int | None = None
    status: str = ""  # "", TODO or DONE
    query: str = ""


@dataclass(frozen=True)
class QueueRow:
    participant: Participant
    full_name: str
    unit_name: str
    campaign_title: str

    @property
    def self_done(self) -> bool:
        return self.participant.self_done_at is not None

    @property
    def supervisor_done(self) -> bool:
        return self.participant.supervisor_done_at is not None


def _open_supervised_campaigns() -> list[Campaign]:
    """Open campaigns that ask for a supervisor assessment (few at a time; `instruments` is JSON, so it
    is read here rather than in SQL)."""
    campaigns = db.session.scalars(select(Campaign).where(Campaign.status == CAMPAIGN_OPEN)
                                   .order_by(Campaign.due_on, Campaign.id))
    return [campaign for campaign in campaigns if campaign.uses(SUPERVISOR)]


def supervision_campaigns(user: User) -> list[Campaign]:
    """The open campaigns with a supervisor assessment that reach into the units `user` supervises."""
    paths = scope_paths(user, SUPERVISE)
    return [campaign for campaign in _open_supervised_campaigns()
            if any(campaign.unit.path.startswith(path) or path.startswith(campaign.unit.path) for path in paths)]


def supervision_page(user: User, filters: QueueFilter, number: int = 1, per_page: int = PAGE_SIZE) -> Page:
    """One page of the cadres waiting for (or given) `user`'s assessment in open campaigns, those not
    yet assessed first, then in Vietnamese name order."""
    number = min(max(1, number), MAX_PAGE)
    campaign_ids = [campaign.id for campaign in supervision_campaigns(user)]
    if filters.campaign_id is not None:
        campaign_ids = [cid for cid in campaign_ids if cid == filters.campaign_id]
    if not campaign_ids:
        return Page([], 0, number, per_page)
    conditions = [Participant.campaign_id.in_(campaign_ids), below_scope(user, SUPERVISE), Participant.user_id != user.id]
    if filters.status == TODO:
        conditions.append(Participant.supervisor_done_at.is_(None))
    elif filters.status == DONE:
        conditions.append(Participant.supervisor_done_at.is_not(None))
    if filters.query:
        conditions.append(search_condition(filters.query))
    base = (select(Participant, User.full_name, Unit.name.label("unit_name"), Campaign.title.label("campaign_title"),
                   func.count().over().label("total"))
            .join(User, User.id == Participant.user_id).join(Unit, Unit.id == Participant.unit_id)
            .join(Campaign, Campaign.id == Participant.campaign_id).where(*conditions))
    rows = db.session.execute(
        base.order_by(case((Participant.supervisor_done_at.is_(None), 0), else_=1), User.sort_key, Participant.id)
        .limit(per_page).offset((number - 1) * per_page)).all()
    if rows:
        items = [QueueRow(row.Participant, row.full_name, row.unit_name, row.campaign_title) for row in rows]
        return Page(items, rows[0].total, number, per_page)
    total = 0
    if number > 1:
        total = db.session.scalar(
            select(func.count(Participant.id)).join(User, User.id == Participant.user_id)
            .join(Unit, Unit.id == Participant.unit_id).where(*conditions))
    return Page([], total, number, per_page)
