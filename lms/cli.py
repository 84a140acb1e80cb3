"""`flask lms …` commands: reference data, demo data and first administrator."""
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import click
from flask.cli import AppGroup

from lms.auth.permissions import Role
from lms.auth.services import hash_password
from lms.config import MAX_KEEP_DAYS
from lms.db import db
from lms.people.contact import normalise_email

lms_cli = AppGroup("lms", help="Learning management system commands.")

CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"


@lms_cli.command("load-units")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path),
                default=CONTENT_DIR / "units")
def load_units(directory: Path):
    """Load organisations, unit levels and units from the CSV files in DIRECTORY."""
    from lms.orgs.loader import LoadError, load_directory

    try:
        counts = load_directory(directory)
    except LoadError as error:
        raise click.ClickException(str(error)) from None
    click.echo(", ".join(f"{key}: {value}" for key, value in counts.items()))


content_cli = AppGroup("content", help="Curriculum files under content/.")
lms_cli.add_command(content_cli)


@content_cli.command("import")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path), default=CONTENT_DIR)
def import_content(directory: Path):
    """Import (or update) every course under DIRECTORY/courses and every competency framework version
    under DIRECTORY/competencies. Safe to run again."""
    from lms.assessments.framework import import_frameworks
    from lms.courses.content import ContentError, import_directory

    try:
        report = import_directory(directory)
        click.echo(f"courses created: {len(report.created)}, updated: {len(report.updated)}, "
                   f"unchanged: {len(report.unchanged)}")
        if (directory / "competencies").is_dir():
            frameworks = import_frameworks(directory)
            click.echo(f"competency framework versions created: {len(frameworks.created)}, "
                       f"unchanged: {len(frameworks.unchanged)}")
    except ContentError as error:
        raise click.ClickException(str(error)) from None


trainers_cli = AppGroup("trainers", help="Trainers: certification and the cascade.")
lms_cli.add_command(trainers_cli)


@trainers_cli.command("expire")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Day to expire against, today or earlier (default: today in the application's time zone).")
def expire_trainers(today):
    """Mark trainers whose certificate ended before today as expired (run it daily)."""
    from lms.i18n import local_today
    from lms.trainers.certification import expire_due

    try:
        count = expire_due(today.date() if today else local_today())
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"trainers expired: {count}")


@trainers_cli.command("certify-founder")
@click.option("--email", required=True, help="E-mail of the account to record as a master trainer.")
def certify_founder(email: str):
    """Record a first master trainer, while no certified master exists to assess one."""
    from lms.actions import RuleError
    from lms.people.models import User
    from lms.trainers.certification import certify_founder as record_founder

    user = db.session.query(User).filter_by(email=normalise_email(email)).one_or_none()
    if user is None:
        raise click.ClickException(f"No account has the e-mail {email!r}.")
    try:
        record_founder(user)
    except RuleError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"{user.full_name} is now a certified master trainer.")


@lms_cli.command("demo")
@click.option("--cadres", default=300, show_default=True, help="Synthetic cadres to add.")
def demo(cadres: int):
    """Load the demo units and accounts (password demo1234). Safe to run again."""
    from lms.demo import load_demo

    counts = load_demo(CONTENT_DIR, synthetic_cadres=cadres)
    forget_report_figures()
    click.echo(f"demo accounts: {counts['accounts']}, synthetic cadres: {counts['cadres']}")


@lms_cli.command("create-admin")
@click.option("--email", required=True)
@click.option("--name", "full_name", required=True)
@click.option("--unit", "unit_code", required=True, help="Code of the unit the role covers, e.g. DOAN-TW.")
@click.option("--central/--unit-admin", default=True, help="Central administrator, or administrator of the unit.")
@click.password_option()
def create_admin(email: str, full_name: str, unit_code: str, central: bool, password: str):
    """Create the first administrator of an installation."""
    from lms.people.services import create_account, unit_by_code

    unit = unit_by_code(unit_code)
    if unit is None:
        raise click.ClickException(f"No unit has the code {unit_code!r}.")
    address = normalise_email(email)
    if address is None:
        raise click.ClickException(f"{email!r} is not a valid e-mail address.")
    role = Role.CENTRAL_ADMIN if central else Role.UNIT_ADMIN
    create_account(full_name=full_name, unit=unit, email=address, password_hash=hash_password(password),
                   roles=((role, unit), (Role.REVIEWER, unit)) if central else ((role, unit),))
    db.session.commit()
    click.echo(f"Created {address} as {role.value} of {unit.name}.")


assessments_cli = AppGroup("assessments", help="Assessment campaigns.")
lms_cli.add_command(assessments_cli)


BASE_URL = click.option("--base-url", envvar="LMS_BASE_URL", default=None,
                        help="Address of the site, e.g. https://taphuan.example.vn, for the links in the e-mails "
                             "(default: LMS_BASE_URL, else the SERVER_NAME setting).")


def site_context(base_url: str | None):
    """A request context in which url_for(..., _external=True) gives the site's addresses, for e-mails sent
    from the command line."""
    from contextlib import nullcontext

    from flask import current_app

    if not base_url and not current_app.config.get("SERVER_NAME"):
        raise click.ClickException("Give --base-url (or LMS_BASE_URL, or SERVER_NAME) so the e-mails can link "
                                   "to the site.")
    if base_url:
        address = urlsplit(base_url)
        if address.scheme not in ("http", "https") or not address.hostname:
            raise click.ClickException(f"--base-url must be the site's full address, such as "
                                       f"https://taphuan.example.vn; got {base_url!r}.")
    return current_app.test_request_context(base_url=base_url) if base_url else nullcontext()


@assessments_cli.command("remind")
@BASE_URL
def remind_participants(base_url: str | None):
    """E-mail the participants of every open campaign whose due day has not passed who still have their own
    tasks to do and were not reminded in the last three days (run it daily)."""
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
            click.echo(f"{campaign.title}: {counted(sent, 'reminder')} sent"
                       + (f", {len(missed)} not reached" if missed else ""))
            if refused:  # a bad address: trying again tomorrow would not help, so the run does not fail for it
                click.echo(f"{campaign.title}: addresses the mail server refused ({len(refused)}): "
                           f"{first_named([person.email for person in refused])}")
    click.echo(f"reminders sent: {total}")
    if unreached:  # their reminders were withdrawn: the next run tries them again
        raise click.ClickException(f"the mail server could not be reached for {counted(len(unreached), 'participant')}"
                                   f": {first_named([person.email for person in unreached])}")


def forget_report_figures() -> None:
    """After a bulk load, the kept report figures count data that has changed: drop them."""
    from lms.reports.queries import forget

    forget()


@lms_cli.command("prune-download-log")
@click.option("--days", type=click.IntRange(1, MAX_KEEP_DAYS), default=None,
              help="Keep the entries of the last DAYS days (default: LMS_DOWNLOAD_LOG_DAYS).")
def prune_download_log(days: int | None):
    """Remove the entries of the download log older than LMS_DOWNLOAD_LOG_DAYS days (run it daily)."""
    from flask import current_app

    from lms.people.downloads import prune

    days = days or current_app.config["LMS_DOWNLOAD_LOG_DAYS"]
    try:
        removed = prune(days)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"download log entries older than {days} days removed: {removed}")


reports_cli = AppGroup("reports", help="Reports and dashboards.")
lms_cli.add_command(reports_cli)


class ReportYear(click.ParamType):
    """A year given with --year: one the report pages can be asked for (lms.reports.dashboard.report_years)."""

    name = "year"

    def convert(self, value, param, ctx):
        from lms.reports.dashboard import report_years

        year = click.INT.convert(value, param, ctx)
        first, last = report_years()
        if not first <= year <= last:
            self.fail(f"there are no reports of {year}: give a year from {first} to {last} (this year).", param, ctx)
        return year


def years_or_reporting_season(years: tuple[int, ...]) -> list[int]:
    """The years given with --year, each once, else the years whose reports are being written and sent."""
    from lms.i18n import local_today
    from lms.reports.sending import reporting_years

    return list(dict.fromkeys(years)) or reporting_years(local_today())


@reports_cli.command("refresh")
@click.option("--depth", default=1, show_default=True, type=click.IntRange(0, 10),
              help="Levels under the top units whose figures are computed too (1: the provinces).")
@click.option("--year", "years", multiple=True, type=ReportYear(),
              help="Year of the figures, up to this year; may be repeated (default: this year, and last year too "
                   "until the end of March, while last year's reports are written).")
def refresh_reports(depth: int, years: tuple[int, ...]):
    """Compute afresh the figures of the top units' dashboards and of the units `--depth` levels under
    them, with the year before's activity their yearly reports compare with, and keep them for
    LMS_REPORT_CACHE_SECONDS: run it from cron more often than that, so that no reader of these dashboards
    and yearly reports waits for their aggregate queries."""
    import time

    from flask import current_app

    from lms.reports.dashboard import refresh, units_to_refresh

    if not current_app.config["LMS_REPORT_CACHE_SECONDS"]:
        raise click.ClickException("LMS_REPORT_CACHE_SECONDS is 0: report figures are not kept, so there is "
                                   "nothing to refresh.")
    years = years_or_reporting_season(years)
    started = time.perf_counter()
    units = units_to_refresh(depth)
    for unit in units:
        refresh(unit, years)
        db.session.rollback()  # nothing was written; let go of what was loaded
    click.echo(f"Figures of {counted(len(units), 'unit')} for {', '.join(map(str, years))} computed in "
               f"{time.perf_counter() - started:.1f} s.")


@reports_cli.command("remind")
@BASE_URL
@click.option("--days-before", default=7, show_default=True, type=click.IntRange(0, 90),
              help="Start reminding this many days before a unit's due day.")
@click.option("--year", "years", multiple=True, type=ReportYear(),
              help="Year of the reports, one whose reporting season has not ended; may be repeated (default: the "
                   "years whose reports are being sent: this year, and last year too until the end of March).")
def remind_yearly_reports(base_url: str | None, days_before: int, years: tuple[int, ...]):
    """E-mail the admins of every unit that has not sent its yearly report up, from DAYS_BEFORE days before
    its due day until the reporting season ends, at most once in three days per unit (run it daily). Then
    name the units left out, and why."""
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
                skipped.append(f"not reminded for {year}, addresses the mail server refused "
                               f"({counted(len(delivery.refused), 'unit')}): {unit_codes(delivery.refused)}")
    click.echo(f"units reminded to send their yearly report: {units}; e-mails sent: {sent}")
    for line in skipped:
        click.echo(line)
    if unreached:  # their reminders were withdrawn: the next run tries them again
        raise click.ClickException(f"the mail server could not be reached for {counted(len(unreached), 'unit')}: "
                                   f"{unit_codes(unreached)}")


def refuse_ended_seasons(years: list[int], today: date) -> None:
    """Stop the command, before anything is sent, if the reporting season of a year given has ended: its units
    are reminded no more."""
    from lms.reports.sending import season_end, season_over

    ended = [year for year in years if season_over(year, today)]
    if ended:
        raise click.ClickException(" ".join(f"no reminders for {year}: its reporting season ended on "
                                            f"{season_end(year).isoformat()}." for year in ended))


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

    reasons = ((f"reminded in the last {REMIND_EVERY.days} days",
                [unit for outcome in outcomes for unit in outcome.recently_reminded]),
               ("no admin with an e-mail address", [unit for outcome in outcomes for unit in outcome.without_admins]))
    return [f"not reminded for {year}, {reason} ({counted(len(units), 'unit')}): {unit_codes(units)}"
            for reason, units in reasons if units]


NAMES_SHOWN = 10  # named on a line of the commands' output; the rest are counted


def counted(number: int, noun: str) -> str:
    """A count for the commands' output: "1 unit", "3 units"."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def first_named(names: list[str]) -> str:
    """Names (codes, addresses) for the commands' output: the first NAMES_SHOWN, then how many more."""
    shown = ", ".join(names[:NAMES_SHOWN])
    return f"{shown} and {len(names) - NAMES_SHOWN} more" if len(names) > NAMES_SHOWN else shown


def unit_codes(units: list) -> str:
    return first_named([unit.code for unit in units])


@lms_cli.command("synth")
@click.option("--cadres", default=200_000, show_default=True, type=click.IntRange(min=100),
              help="Synthetic cadres to create.")
@click.option("--seed", default=1, show_default=True, help="Seed of the generator: the same seed builds the same data.")
def synth(cadres: int, seed: int):
    """Build a national-size synthetic dataset (units, cadres, learning, trainers, cohorts, an assessment
    campaign) on top of `load-units` and `content import`, printing each step's time. Refused when the
    database holds any account (the dataset built before, the demo, real people): build it on a fresh
    database."""
    from lms.reports.synth import SYNTH_PASSWORD, SynthError, build

    click.echo(f"Building a synthetic dataset of {cadres:,} cadres (seed {seed}):")
    try:
        counts = build(cadres, seed=seed, echo=click.echo)
    except SynthError as error:
        raise click.ClickException(str(error)) from None
    forget_report_figures()
    click.echo(f"Done: {sum(counts.values()):,} rows. Every synthetic account signs in with {SYNTH_PASSWORD!r}.")
