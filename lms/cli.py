"""`flask lms …` commands: reference data, demo data and first administrator. They speak the installation's
default language (Vietnamese): their help, output and errors go through the catalog like the pages'."""
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import click
from flask.cli import AppGroup
from flask_babel import format_decimal, gettext as _, lazy_gettext as _l, ngettext

from lms.auth.permissions import ROLE_LABELS, Role
from lms.auth.services import hash_password
from lms.config import MAX_KEEP_DAYS
from lms.db import db
from lms.i18n import N_, names_in_message
from lms.people.contact import normalise_email

lms_cli = AppGroup("lms", help=_l("Các lệnh của hệ thống tập huấn."))

CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"


@lms_cli.command("load-units", help=_l("Nạp các tổ chức, cấp đơn vị và đơn vị từ các tệp CSV trong DIRECTORY. "
                                         "Có thể chạy lại: đơn vị được nhận ra theo mã."))
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path),
                default=CONTENT_DIR / "units")
def load_units(directory: Path):
    from lms.orgs.loader import LoadError, load_directory

    try:
        counts = load_directory(directory)
    except LoadError as error:
        raise click.ClickException(str(error)) from None
    click.echo(_("Tổ chức: %(organisations)d; cấp đơn vị: %(levels)d; đơn vị tạo mới: %(units_created)d, cập nhật: "
                 "%(units_updated)d.", **counts))


content_cli = AppGroup("content", help=_l("Các tệp chương trình học trong content/."))
lms_cli.add_command(content_cli)


@content_cli.command("import", help=_l("Nhập (hoặc cập nhật) mọi khóa học trong DIRECTORY/courses và mọi phiên bản "
                                         "khung năng lực trong DIRECTORY/competencies. Có thể chạy lại."))
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path), default=CONTENT_DIR)
def import_content(directory: Path):
    from lms.assessments.framework import import_frameworks
    from lms.courses.content import ContentError, import_directory

    try:
        report = import_directory(directory)
        click.echo(_("Khóa học: tạo mới %(created)d, cập nhật %(updated)d, giữ nguyên %(unchanged)d.",
                     created=len(report.created), updated=len(report.updated), unchanged=len(report.unchanged)))
        if (directory / "competencies").is_dir():
            frameworks = import_frameworks(directory)
            click.echo(_("Phiên bản khung năng lực: tạo mới %(created)d, giữ nguyên %(unchanged)d.",
                         created=len(frameworks.created), unchanged=len(frameworks.unchanged)))
    except ContentError as error:
        raise click.ClickException(str(error)) from None


trainers_cli = AppGroup("trainers", help=_l("Tập huấn viên: công nhận và mạng lưới tập huấn."))
lms_cli.add_command(trainers_cli)


@trainers_cli.command("expire", help=_l("Chuyển sang “hết hạn” các tập huấn viên có giấy công nhận đã hết hạn trước "
                                         "hôm nay (chạy hằng ngày)."))
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help=_l("Ngày dùng để xét hết hạn, hôm nay hoặc trước đó, dạng YYYY-MM-DD (mặc định: hôm nay theo múi "
                      "giờ của hệ thống)."))
def expire_trainers(today):
    from lms.i18n import local_today
    from lms.trainers.certification import expire_due

    try:
        count = expire_due(today.date() if today else local_today())
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(_("Số tập huấn viên chuyển sang hết hạn: %(count)d.", count=count))


@trainers_cli.command("certify-founder", help=_l("Ghi nhận tập huấn viên nguồn đầu tiên, khi chưa có tập huấn viên "
                                                  "nguồn nào được công nhận để đánh giá người khác."))
@click.option("--email", required=True, help=_l("E-mail của tài khoản được ghi nhận là tập huấn viên nguồn."))
def certify_founder(email: str):
    from lms.actions import RuleError
    from lms.people.models import User
    from lms.trainers.certification import certify_founder as record_founder

    user = db.session.query(User).filter_by(email=normalise_email(email)).one_or_none()
    if user is None:
        raise click.ClickException(_("Không có tài khoản nào dùng e-mail %(email)s.", email=email))
    try:
        record_founder(user)
    except RuleError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(_("%(name)s đã được ghi nhận là tập huấn viên nguồn.", name=user.full_name))


@lms_cli.command("demo", help=_l("Nạp dữ liệu trình diễn: đơn vị, tài khoản (mật khẩu demo1234), học tập, lớp tập "
                                  "huấn và đánh giá. Có thể chạy lại."))
@click.option("--cadres", default=300, show_default=True, help=_l("Số cán bộ giả lập thêm vào."))
def demo(cadres: int):
    from lms.demo import load_demo

    counts = load_demo(CONTENT_DIR, synthetic_cadres=cadres)
    forget_report_figures()
    click.echo(_("Tài khoản trình diễn đã tạo: %(accounts)d; cán bộ giả lập đã tạo: %(cadres)d.", **counts))


@lms_cli.command("create-admin", help=_l("Tạo quản trị viên đầu tiên của một hệ thống mới cài đặt."))
@click.option("--email", required=True, help=_l("E-mail đăng nhập của quản trị viên."))
@click.option("--name", "full_name", required=True, help=_l("Họ và tên của quản trị viên."))
@click.option("--unit", "unit_code", required=True, help=_l("Mã đơn vị mà vai trò phụ trách, ví dụ DOAN-TW."))
@click.option("--central/--unit-admin", default=True,
              help=_l("Quản trị Trung ương (mặc định), hoặc quản trị của đơn vị."))
@click.password_option(prompt=_l("Mật khẩu"), confirmation_prompt=_l("Nhập lại mật khẩu"),
                       help=_l("Mật khẩu (nếu không nhập ở đây, lệnh sẽ hỏi hai lần)."))
def create_admin(email: str, full_name: str, unit_code: str, central: bool, password: str):
    from lms.people.services import create_account, unit_by_code

    unit = unit_by_code(unit_code)
    if unit is None:
        raise click.ClickException(_("Không có đơn vị nào mang mã %(code)s.", code=unit_code))
    address = normalise_email(email)
    if address is None:
        raise click.ClickException(_("“%(email)s” không phải là địa chỉ e-mail hợp lệ.", email=email))
    role = Role.CENTRAL_ADMIN if central else Role.UNIT_ADMIN
    create_account(full_name=full_name, unit=unit, email=address, password_hash=hash_password(password),
                   roles=((role, unit), (Role.REVIEWER, unit)) if central else ((role, unit),))
    db.session.commit()
    click.echo(_("Đã tạo tài khoản %(email)s, %(role)s của %(unit)s.", email=address, role=_(ROLE_LABELS[role]),
                 unit=unit.name))


assessments_cli = AppGroup("assessments", help=_l("Các đợt đánh giá năng lực."))
lms_cli.add_command(assessments_cli)


BASE_URL = click.option("--base-url", envvar="LMS_BASE_URL", default=None,
                        help=_l("Địa chỉ của trang, ví dụ https://taphuan.example.vn, cho các liên kết trong e-mail "
                                "(mặc định: LMS_BASE_URL, nếu không có thì thiết lập SERVER_NAME)."))


def site_context(base_url: str | None):
    """A request context in which url_for(..., _external=True) gives the site's addresses, for e-mails sent
    from the command line."""
    from contextlib import nullcontext

    from flask import current_app

    if not base_url and not current_app.config.get("SERVER_NAME"):
        raise click.ClickException(_("Hãy dùng --base-url (hoặc đặt LMS_BASE_URL hay SERVER_NAME) để e-mail có "
                                     "liên kết về trang."))
    if base_url:
        address = urlsplit(base_url)
        if address.scheme not in ("http", "https") or not address.hostname:
            raise click.ClickException(_("--base-url phải là địa chỉ đầy đủ của trang, ví dụ "
                                         "https://taphuan.example.vn; giá trị đã nhập: “%(value)s”.", value=base_url))
    return current_app.test_request_context(base_url=base_url) if base_url else nullcontext()


@assessments_cli.command("remind", help=_l(
    "Gửi e-mail nhắc những người tham gia các đợt đánh giá đang mở, chưa quá hạn, còn việc phải làm và chưa được "
    "nhắc trong ba ngày qua (chạy hằng ngày)."))
@BASE_URL
def remind_participants(base_url: str | None):
    from lms.assessments.campaigns import assessments_link, campaigns_to_remind, deliver_reminders, record_reminders

    total, unreached = 0, []
    with site_context(base_url):
        link = assessments_link()
        for campaign in campaigns_to_remind():
            reminders = record_reminders(campaign)
            db.session.commit()
            sent, missed, refused = deliver_reminders(reminders, link)
            total += sent
            unreached += missed
            click.echo(campaign_reminded(campaign.title, sent, len(missed)))
            if refused:  # a bad address: trying again tomorrow would not help, so the run does not fail for it
                click.echo(ngettext("%(campaign)s: máy chủ thư từ chối địa chỉ của %(num)d người: %(addresses)s.",
                                    "%(campaign)s: máy chủ thư từ chối địa chỉ của %(num)d người: %(addresses)s.",
                                    len(refused), campaign=campaign.title, addresses=addresses(refused)))
    click.echo(_("Tổng số lời nhắc đã gửi: %(total)d.", total=total))
    if unreached:  # their reminders were withdrawn: the next run tries them again
        raise click.ClickException(ngettext(
            "Không kết nối được máy chủ thư để gửi cho %(num)d người: %(addresses)s.",
            "Không kết nối được máy chủ thư để gửi cho %(num)d người: %(addresses)s.",
            len(unreached), addresses=addresses(unreached)))


def campaign_reminded(title: str, sent: int, missed: int) -> str:
    """A campaign's line in the output of `assessments remind`."""
    if missed:
        return ngettext("%(campaign)s: đã gửi %(num)d lời nhắc, %(missed)d người chưa nhận được.",
                        "%(campaign)s: đã gửi %(num)d lời nhắc, %(missed)d người chưa nhận được.",
                        sent, campaign=title, missed=missed)
    return ngettext("%(campaign)s: đã gửi %(num)d lời nhắc.", "%(campaign)s: đã gửi %(num)d lời nhắc.",
                    sent, campaign=title)


def forget_report_figures() -> None:
    """After a bulk load, the kept report figures count data that has changed: drop them."""
    from lms.reports.queries import forget

    forget()


@lms_cli.command("prune-download-log", help=_l("Xóa các mục của nhật ký tải danh sách cũ hơn LMS_DOWNLOAD_LOG_DAYS "
                                                "ngày (chạy hằng ngày)."))
@click.option("--days", type=click.IntRange(1, MAX_KEEP_DAYS), default=None,
              help=_l("Giữ các mục của chừng này ngày gần nhất (mặc định: LMS_DOWNLOAD_LOG_DAYS)."))
def prune_download_log(days: int | None):
    from flask import current_app

    from lms.people.downloads import prune

    days = days or current_app.config["LMS_DOWNLOAD_LOG_DAYS"]
    try:
        removed = prune(days)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(_("Đã xóa %(removed)d mục nhật ký tải danh sách cũ hơn %(days)d ngày.", removed=removed, days=days))


reports_cli = AppGroup("reports", help=_l("Báo cáo và bảng số liệu."))
lms_cli.add_command(reports_cli)


class ReportYear(click.ParamType):
    """A year given with --year: one the report pages can be asked for (lms.reports.dashboard.report_years)."""

    name = "year"

    def convert(self, value, param, ctx):
        from lms.reports.dashboard import report_years

        year = click.INT.convert(value, param, ctx)
        first, last = report_years()
        if not first <= year <= last:
            self.fail(_("không có báo cáo năm %(year)d: hãy chọn một năm từ %(first)d đến %(last)d (năm nay).",
                        year=year, first=first, last=last), param, ctx)
        return year


def years_or_reporting_season(years: tuple[int, ...]) -> list[int]:
    """The years given with --year, each once, else the years whose reports are being written and sent."""
    from lms.i18n import local_today
    from lms.reports.sending import reporting_years

    return list(dict.fromkeys(years)) or reporting_years(local_today())


@reports_cli.command("refresh", help=_l(
    "Tính lại số liệu bảng điều khiển của các đơn vị cấp cao nhất và của các đơn vị đến --depth cấp dưới chúng, kèm "
    "hoạt động của năm trước mà báo cáo năm so sánh, rồi lưu giữ trong LMS_REPORT_CACHE_SECONDS giây. Hãy đặt cron "
    "chạy lệnh với chu kỳ ngắn hơn thời gian đó, để không người xem nào phải chờ các truy vấn tổng hợp."))
@click.option("--depth", default=1, show_default=True, type=click.IntRange(0, 10),
              help=_l("Số cấp dưới các đơn vị cấp cao nhất cũng được tính (1: các tỉnh)."))
@click.option("--year", "years", multiple=True, type=ReportYear(),
              help=_l("Năm của số liệu, đến năm nay; có thể cho nhiều lần (mặc định: năm nay, và cả năm trước cho "
                      "đến hết tháng Ba, khi báo cáo năm trước còn đang được viết)."))
def refresh_reports(depth: int, years: tuple[int, ...]):
    import time

    from flask import current_app

    from lms.reports.dashboard import refresh, units_to_refresh

    if not current_app.config["LMS_REPORT_CACHE_SECONDS"]:
        raise click.ClickException(_("LMS_REPORT_CACHE_SECONDS bằng 0: số liệu báo cáo không được lưu giữ, nên không "
                                     "có gì để làm mới."))
    years = years_or_reporting_season(years)
    started = time.perf_counter()
    units = units_to_refresh(depth)
    for unit in units:
        refresh(unit, years)
        db.session.rollback()  # nothing was written; let go of what was loaded
    click.echo(ngettext("Đã tính số liệu của %(num)d đơn vị cho năm %(years)s trong %(seconds)s giây.",
                        "Đã tính số liệu của %(num)d đơn vị cho năm %(years)s trong %(seconds)s giây.",
                        len(units), years=", ".join(map(str, years)),
                        seconds=format_decimal(time.perf_counter() - started, format="0.0")))


@reports_cli.command("remind", help=_l(
    "Gửi e-mail nhắc quản trị viên của mọi đơn vị chưa gửi báo cáo năm lên cấp trên, từ --days-before ngày trước hạn "
    "của đơn vị đến khi hết mùa báo cáo, mỗi đơn vị nhiều nhất một lần trong ba ngày (chạy hằng ngày). Sau đó nêu "
    "các đơn vị chưa được nhắc, và vì sao."))
@BASE_URL
@click.option("--days-before", default=7, show_default=True, type=click.IntRange(0, 90),
              help=_l("Số ngày trước hạn gửi của đơn vị thì bắt đầu nhắc."))
@click.option("--year", "years", multiple=True, type=ReportYear(),
              help=_l("Năm của báo cáo, năm chưa hết mùa báo cáo; có thể cho nhiều lần (mặc định: các năm đang gửi "
                      "báo cáo: năm nay, và cả năm trước cho đến hết tháng Ba)."))
def remind_yearly_reports(base_url: str | None, days_before: int, years: tuple[int, ...]):
    from lms.i18n import local_today
    from lms.reports.sending import deliver

    today, units, sent, unreached, skipped = local_today(), 0, 0, [], []
    years = years_or_reporting_season(years)
    refuse_ended_seasons(years, today)
    with site_context(base_url):
        for year in years:
            outcomes = record_yearly_reminders(year, today, days_before)
            db.session.commit()
            delivery = deliver(outcomes, year, None)
            units += delivery.reminded(outcomes)
            sent += delivery.sent
            unreached += delivery.unreached
            skipped += units_left_out(year, outcomes)
            if delivery.refused:  # a bad address: trying again tomorrow would not help, so the run does not fail
                skipped.append(ngettext(
                    "Năm %(year)d: chưa nhắc %(num)d đơn vị vì máy chủ thư từ chối địa chỉ: %(codes)s.",
                    "Năm %(year)d: chưa nhắc %(num)d đơn vị vì máy chủ thư từ chối địa chỉ: %(codes)s.",
                    len(delivery.refused), year=year, codes=unit_codes(delivery.refused)))
    click.echo(_("Số đơn vị được nhắc gửi báo cáo năm: %(units)d; số e-mail đã gửi: %(sent)d.", units=units, sent=sent))
    for line in skipped:
        click.echo(line)
    if unreached:  # their reminders were withdrawn: the next run tries them again
        raise click.ClickException(ngettext("Không kết nối được máy chủ thư để nhắc %(num)d đơn vị: %(codes)s.",
                                            "Không kết nối được máy chủ thư để nhắc %(num)d đơn vị: %(codes)s.",
                                            len(unreached), codes=unit_codes(unreached)))


def refuse_ended_seasons(years: list[int], today: date) -> None:
    """Stop the command, before anything is sent, if the reporting season of a year given has ended: its units
    are reminded no more."""
    from lms.reports.sending import season_end, season_over

    ended = [year for year in years if season_over(year, today)]
    if ended:
        raise click.ClickException(" ".join(_("Không nhắc báo cáo năm %(year)d: mùa báo cáo của năm đã kết thúc ngày "
                                              "%(day)s.", year=year, day=season_end(year).strftime("%d/%m/%Y"))
                                            for year in ended))


def record_yearly_reminders(year: int, today: date, days_before: int) -> list:
    """Record the reminders of `year` the daily run sends: the outcome under each unit whose units are due
    soon, those that recorded nothing included, for they name the units left out."""
    from lms.actions import RuleError
    from lms.reports.sending import NobodyReminded, remind, units_to_remind_under

    outcomes = []
    for parent in units_to_remind_under(year, today, days_before):
        try:
            outcomes.append(remind(parent, year, None))
        except NobodyReminded as refusal:  # its waiting units were reminded lately or have no admin
            outcomes.append(refusal.outcome)
        except RuleError:  # nothing recorded: every unit under it has sent meanwhile
            continue
    return outcomes


def units_left_out(year: int, outcomes: list) -> list[str]:
    """A line for each reason units that have not sent their report of `year` were not reminded, naming them."""
    from lms.reports.sending import REMIND_EVERY

    lines = []
    recently_reminded = [unit for outcome in outcomes for unit in outcome.recently_reminded]
    if recently_reminded:
        lines.append(ngettext("Năm %(year)d: chưa nhắc %(num)d đơn vị vì đã nhắc trong %(days)d ngày qua: %(codes)s.",
                              "Năm %(year)d: chưa nhắc %(num)d đơn vị vì đã nhắc trong %(days)d ngày qua: %(codes)s.",
                              len(recently_reminded), year=year, days=REMIND_EVERY.days,
                              codes=unit_codes(recently_reminded)))
    without_admins = [unit for outcome in outcomes for unit in outcome.without_admins]
    if without_admins:
        lines.append(ngettext("Năm %(year)d: chưa nhắc %(num)d đơn vị vì chưa có quản trị viên có e-mail: %(codes)s.",
                              "Năm %(year)d: chưa nhắc %(num)d đơn vị vì chưa có quản trị viên có e-mail: %(codes)s.",
                              len(without_admins), year=year, codes=unit_codes(without_admins)))
    return lines


def unit_codes(units: list) -> str:
    """Units' codes for the commands' output, the first few named and the rest counted."""
    return names_in_message([unit.code for unit in units], N_("%(names)s và %(num)d đơn vị khác"))


def addresses(people: list) -> str:
    """People's e-mail addresses for the commands' output, the first few named and the rest counted."""
    return names_in_message([person.email for person in people], N_("%(names)s và %(num)d người khác"))


@lms_cli.command("synth", help=_l(
    "Dựng một bộ dữ liệu tổng hợp cỡ toàn quốc (đơn vị, cán bộ, học tập, tập huấn viên, lớp tập huấn, một đợt đánh "
    "giá) trên những gì `load-units` và `content import` đã nạp, in thời gian của từng bước. Lệnh từ chối khi cơ sở "
    "dữ liệu đã có bất kỳ tài khoản nào (bộ dữ liệu dựng trước đó, dữ liệu trình diễn, người thật): hãy dựng trên "
    "một cơ sở dữ liệu mới."))
@click.option("--cadres", default=200_000, show_default=True, type=click.IntRange(min=100),
              help=_l("Số cán bộ tổng hợp cần tạo."))
@click.option("--seed", default=1, show_default=True,
              help=_l("Hạt giống của bộ sinh ngẫu nhiên: cùng hạt giống thì dựng ra cùng dữ liệu."))
def synth(cadres: int, seed: int):
    from lms.reports.synth import SYNTH_PASSWORD, SynthError, build

    click.echo(_("Đang dựng bộ dữ liệu tổng hợp gồm %(cadres)s cán bộ (hạt giống %(seed)d):",
                 cadres=format_decimal(cadres), seed=seed))
    try:
        counts = build(cadres, seed=seed, echo=click.echo)
    except SynthError as error:
        raise click.ClickException(str(error)) from None
    forget_report_figures()
    click.echo(_("Xong: %(rows)s dòng. Mọi tài khoản tổng hợp đăng nhập bằng mật khẩu “%(password)s”.",
                 rows=format_decimal(sum(counts.values())), password=SYNTH_PASSWORD))
