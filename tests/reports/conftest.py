"""Fixture data the report tests share."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.assessments.framework import import_frameworks
from lms.courses.content import import_directory
from lms.courses.models import CORE_COURSE_SLUG, Assignment, Course, Enrolment
from lms.db import db, utcnow
from lms.demo import load_demo
from lms.i18n import local_today
from lms.people.models import COORDINATOR
from lms.trainers.models import CANDIDATE, CERTIFIED, PROVINCIAL, TrainerProfile
from tests.conftest import ROOT, write_course


@pytest.fixture()
def report_data(tree, make_user, admin_a, tmp_path):
    """Cadres in both provinces, enrolments in the core course (some completed, some required with a due
    date passed), and two trainers of province A. Returns the year the figures fall in."""
    write_course(tmp_path, slug=CORE_COURSE_SLUG, title="Quản lý, điều phối hoạt động tình nguyện")
    import_directory(tmp_path)
    core = db.session.scalar(select(Course).where(Course.slug == CORE_COURSE_SLUG))
    today = local_today()
    year = (today - timedelta(days=1)).year
    assignment = Assignment(course_id=core.id, unit_id=tree.province_a.id, due_on=today - timedelta(days=1),
                            assigned_by_id=admin_a.id)
    db.session.add(assignment)
    db.session.flush()
    sang = make_user(tree.grassroots_a, "Lò Văn Sáng", volunteer_role=COORDINATOR)
    my = make_user(tree.branch_a, "Giàng Thị Mỷ")
    pao = make_user(tree.grassroots_a, "Vàng A Pao")
    gone = make_user(tree.grassroots_a, "Sùng Thị Dua", is_active=False)
    ngoc = make_user(tree.grassroots_b, "Danh Thị Ngọc")
    make_user(tree.branch_b, "Thạch Văn Tài")
    done = utcnow() - timedelta(days=3)
    for user, completed, required in ((sang, done, True), (my, None, True), (pao, None, False),
                                      (gone, done, True), (ngoc, done, False)):
        db.session.add(Enrolment(user_id=user.id, course_id=core.id, completed_at=completed,
                                 assignment_id=assignment.id if required else None,
                                 due_on=assignment.due_on if required else None))
    db.session.add(TrainerProfile(user_id=sang.id, tier=PROVINCIAL, status=CERTIFIED, certified_at=done))
    db.session.add(TrainerProfile(user_id=pao.id, tier=PROVINCIAL, status=CANDIDATE))
    db.session.commit()
    return year


@pytest.fixture()
def report_demo(app_ctx):
    """The demo dataset on the shipped curriculum and framework: cohorts, plans, campaigns, ratings and unit
    assessments, so that no table of a report is empty."""
    import_directory(ROOT / "content")
    import_frameworks(ROOT / "content")
    db.session.commit()
    load_demo(ROOT / "content", synthetic_cadres=60)
