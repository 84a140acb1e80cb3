"""Trainer profiles, certification and the cascade: routes on the trainers blueprint, and the
`flask lms trainers …` commands."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user, login_required

from lms.actions import RuleError, carry_out
from lms.auth.permissions import can, has_any_scope, require, scope_paths
from lms.db import db, get_by_id
from lms.forms import ActionForm, choices
from lms.i18n import local_today
from lms.orgs.models import AREA_FLAGS
from lms.people.models import User
from lms.trainers import cascade, certification
from lms.trainers.certification import (
    EVENT_LABELS, RUBRIC, STATUS_LABELS, TIER_LABELS, TrainerFilter, find_cadre, profile_of_user,
)
from lms.trainers.models import CANDIDATE, CERTIFIED, EXPIRED, STATUSES, SUSPENDED, TIERS, Cohort, TrainerProfile
from lms.trainers.trainer_forms import AppointForm, CertifyForm, PracticumForm, SuspendForm
from lms.trainers.views import bp



def _trainer(trainer_id: int, action: str = "trainer.view") -> TrainerProfile:
    """The trainer, if the current user may do `action` over the trainer's unit: 404 if missing, else 403.
    Trainers may always see their own profile and cascade."""
    trainer = get_by_id(TrainerProfile, trainer_id)
    if action == "trainer.view" and trainer is not None and trainer.user_id == current_user.id:
        return trainer
    require(action, trainer.user.unit if trainer else None)
    return trainer


def _labels() -> dict:
    return {"tier_labels": TIER_LABELS, "status_labels": STATUS_LABELS, "event_labels": EVENT_LABELS,
            "rubric": RUBRIC}


@bp.route("/people")
@login_required
def trainer_list():
    if not has_any_scope(current_user, "trainer.view"):
        abort(403)
    filters = TrainerFilter(tier=request.args.get("tier", ""), status=request.args.get("status", ""),
                            query=request.args.get("q", "").strip())
    page = certification.trainer_page(current_user, filters, request.args.get("page", 1, type=int))
    return render_template("trainers/trainer_list.html", page=page, filters=filters, tiers=TIERS,
                           statuses=STATUSES, may_appoint=has_any_scope(current_user, "trainer.manage"),
                           today=local_today(), **_labels())


@bp.route("/people/new", methods=["GET", "POST"])
@login_required
def trainer_new():
    if not has_any_scope(current_user, "trainer.manage"):
        abort(403)
    form = AppointForm()
    if request.method == "GET":
        _prefill_appointment(form)
    if form.validate_on_submit():
        try:
            trainer = certification.appoint(find_cadre(form.identifier.data), form.tier.data, current_user,
                                            form.trained_in_cohort.data)
        except certification.AppointError as error:
            db.session.rollback()
            form[error.field].errors.append(str(error))
        else:
            db.session.commit()
            flash(_("%(name)s đã trở thành ứng viên tập huấn viên.", name=trainer.user.full_name), "success")
            return redirect(url_for("trainers.trainer", trainer_id=trainer.id))
    return render_template("trainers/trainer_form.html", form=form)


def _prefill_appointment(form: AppointForm) -> None:
    """?user=<id> from a cadre's page: their login and the tier their unit's level calls for."""
    person = get_by_id(User, request.args.get("user", type=int))
    if person is None or not can(current_user, "trainer.manage", person.unit):
        return
    form.identifier.data = person.email or person.phone
    form.tier.data = certification.tier_for_unit(person.unit)


@bp.route("/people/<id:trainer_id>", endpoint="trainer")
@login_required
def trainer_page(trainer_id: int):
    trainer = _trainer(trainer_id)
    may_manage = can(current_user, "trainer.manage", trainer.user.unit)
    today = local_today()
    certify_form = None
    if may_manage and trainer.status == CANDIDATE:
        certify_form = CertifyForm()
        certify_form.cohort.choices = _cohort_choices(trainer)
    return render_template(
        "trainers/trainer_profile.html", trainer=trainer, record=certification.trainer_record(trainer),
        readiness=certification.readiness(trainer, today) if trainer.status == CANDIDATE else None,
        overdue=certification.overdue(trainer, today), may_manage=may_manage,
        may_assess=trainer.status == CANDIDATE and certification.may_assess(current_user, trainer),
        may_view=lambda other: can(current_user, "trainer.view", other.user.unit),
        certify_form=certify_form, suspend_form=SuspendForm(), action_form=ActionForm(),
        CANDIDATE=CANDIDATE, CERTIFIED=CERTIFIED, EXPIRED=EXPIRED, SUSPENDED=SUSPENDED, **_labels())


def _cohort_choices(trainer: TrainerProfile):
    cohorts = certification.qualifying_cohorts(trainer)
    return choices([("", _("— Không ghi lớp —"))] + [(str(c.id), f"{c.title} (#{c.id})") for c in cohorts])


@bp.route("/people/<id:trainer_id>/certify", methods=["POST"])
@login_required
def trainer_certify(trainer_id: int):
    trainer = _trainer(trainer_id, "trainer.manage")
    form = CertifyForm()
    form.cohort.choices = _cohort_choices(trainer)
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        flash(_("Hãy chọn một lớp trong danh sách."), "error")
    else:
        cohort = get_by_id(Cohort, form.cohort.data)
        carry_out(lambda: certification.certify(trainer, current_user, cohort),
                  _("Đã công nhận %(name)s là %(tier)s.", name=trainer.user.full_name,
                    tier=_(TIER_LABELS[trainer.tier])))
    return redirect(url_for("trainers.trainer", trainer_id=trainer.id))


@bp.route("/people/<id:trainer_id>/renew", methods=["POST"])
@login_required
def trainer_renew(trainer_id: int):
    trainer = _trainer(trainer_id, "trainer.manage")
    _act(lambda: certification.renew(trainer, current_user),
         _("Đã gia hạn công nhận của %(name)s.", name=trainer.user.full_name))
    return redirect(url_for("trainers.trainer", trainer_id=trainer.id))


@bp.route("/people/<id:trainer_id>/suspend", methods=["POST"])
@login_required
def trainer_suspend(trainer_id: int):
    trainer = _trainer(trainer_id, "trainer.manage")
    form = SuspendForm()
    if form.validate_on_submit():
        carry_out(lambda: certification.suspend(trainer, current_user, form.reason.data),
                  _("Đã tạm đình chỉ %(name)s.", name=trainer.user.full_name))
    elif "csrf_token" in form.errors:
        abort(400)
    else:
        for message in form.reason.errors:
            flash(message, "error")
    return redirect(url_for("trainers.trainer", trainer_id=trainer.id))


@bp.route("/people/<id:trainer_id>/reinstate", methods=["POST"])
@login_required
def trainer_reinstate(trainer_id: int):
    trainer = _trainer(trainer_id, "trainer.manage")
    _act(lambda: certification.reinstate(trainer, current_user),
         _("Đã khôi phục %(name)s.", name=trainer.user.full_name))
    return redirect(url_for("trainers.trainer", trainer_id=trainer.id))


def _act(action, success_message: str) -> None:
    if not ActionForm().validate_on_submit():
        abort(400)
    carry_out(action, success_message)


@bp.route("/people/<id:trainer_id>/practicum", methods=["GET", "POST"])
@login_required
def trainer_practicum(trainer_id: int):
    candidate = get_by_id(TrainerProfile, trainer_id)
    if candidate is None:
        abort(404)
    if not certification.may_assess(current_user, candidate):
        abort(403)
    is_admin = can(current_user, "trainer.manage", candidate.user.unit)
    form = PracticumForm()
    if form.validate_on_submit():
        practicum = _record_practicum(form, candidate, is_admin)
        if practicum is not None:
            db.session.commit()
            flash(_("Đã ghi kết quả thực hành: %(result)s.",
                    result=_("Đạt") if practicum.passed else _("Chưa đạt")), "success")
            if can(current_user, "trainer.view", candidate.user.unit):
                return redirect(url_for("trainers.trainer", trainer_id=candidate.id))
            return redirect(url_for("trainers.trainer_practicum", trainer_id=candidate.id))
    return render_template("trainers/trainer_practicum.html", form=form, candidate=candidate, is_admin=is_admin,
                           own=profile_of_user(current_user.id),
                           may_view=can(current_user, "trainer.view", candidate.user.unit), **_labels())


def _record_practicum(form: PracticumForm, candidate: TrainerProfile, is_admin: bool):
    """The practicum, recorded; or None with the reason shown on the form. An admin names the
    assessor; a trainer records only practicums they assessed themselves."""
    if is_admin and (form.assessor.data or "").strip():
        assessor_user = find_cadre(form.assessor.data)
        if assessor_user is None:
            form.assessor.errors.append(_("Không tìm thấy người đánh giá có số điện thoại hoặc e-mail này."))
            return None
    elif is_admin:
        form.assessor.errors.append(_("Hãy nhập số điện thoại hoặc e-mail của người đánh giá."))
        return None
    else:
        assessor_user = current_user
    cohort = None
    if form.cohort.data:
        cohort = get_by_id(Cohort, form.cohort.data)
        if cohort is None:
            form.cohort.errors.append(_("Không có lớp tập huấn với số hiệu này."))
            return None
    scores = {key: form[f"score_{key}"].data for key, _label in RUBRIC}
    try:
        return certification.record_practicum(candidate, profile_of_user(assessor_user.id), current_user, scores,
                                              form.comments.data, cohort)
    except RuleError as error:
        db.session.rollback()
        form.assessor.errors.append(str(error))
        return None


@bp.route("/people/<id:trainer_id>/cascade", endpoint="cascade")
@login_required
def cascade_page(trainer_id: int):
    trainer = _trainer(trainer_id)
    paths = scope_paths(current_user, "trainer.view")
    return render_template("trainers/cascade.html", trainer=trainer, reach=cascade.reach(trainer),
                           in_scope=lambda node: any(node.unit_path.startswith(path) for path in paths),
                           area_flags=AREA_FLAGS, max_depth=cascade.MAX_DEPTH, fmt=format_decimal,
                           **_labels())
