"""Time each dashboard table on its own, in this process, to see where a slow dashboard spends its time.

    python bench/tables.py --database-url URL [--unit DOAN-TW] [--unit DOAN-HNI] [--repeat 5] [--year 2026]

For each unit (default: the Đoàn's central unit and its largest province), builds every table of
lms.reports.metrics.TABLES, and the headline figures, `--repeat` times after one warm-up, and prints the
median time of each with the number of SQL statements it ran, each table alone (figures it shares with
other tables computed again), then all of them as one dashboard request builds them (shared figures
computed once). No server, no HTTP: only the queries and the Python that shapes their rows. A cache
across requests (LMS_REPORT_CACHE_SECONDS) is left off.
"""
import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, func, select  # noqa: E402
from sqlalchemy.orm import aliased  # noqa: E402

from lms import create_app  # noqa: E402
from lms.db import db  # noqa: E402
from lms.i18n import local_today  # noqa: E402
from lms.orgs.models import Unit, UnitLevel  # noqa: E402
from lms.people.models import User  # noqa: E402


def largest_province() -> str:
    member = aliased(Unit)
    rows = db.session.execute(select(Unit.code, Unit.path).join(UnitLevel)
                              .where(UnitLevel.code == "province", Unit.code.like("DOAN-%"))).all()
    sizes = {code: db.session.scalar(select(func.count(User.id)).join(member, User.unit_id == member.id)
                                     .where(member.path.startswith(path))) for code, path in rows}
    return max(sorted(sizes), key=sizes.get)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("LMS_DATABASE_URL"))
    parser.add_argument("--unit", action="append", help="unit code (repeatable)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--year", type=int)
    args = parser.parse_args()
    if not args.database_url:
        parser.error("give --database-url or set LMS_DATABASE_URL")
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url, "SECRET_KEY": "bench",
                      "LMS_REPORT_CACHE_SECONDS": 0})
    statements = [0]

    with app.app_context():
        from lms.reports import metrics

        @event.listens_for(db.engine, "before_cursor_execute")
        def _count(*_args):
            statements[0] += 1

        year = args.year or local_today().year
        codes = args.unit or ["DOAN-TW", largest_province()]
        jobs = {**{key: metrics.TABLES[key] for key in metrics.TABLE_ORDER}, "summary": metrics.summary}
        print(f"{db.engine.dialect.name}, year {year}, median of {args.repeat} after a warm-up")
        for code in codes:
            node = db.session.scalar(select(Unit).where(Unit.code == code))
            if node is None:
                raise SystemExit(f"No unit has the code {code!r}.")
            print(f"\n{node.name} ({code})")
            print(f"  {'table':<12} {'median ms':>10} {'statements':>11}")
            for key, build in jobs.items():
                median, count = timed(lambda: build(node, year), args.repeat, statements)
                print(f"  {key:<12} {median:10.1f} {count:11d}")

            def dashboard():
                with app.app_context(), app.test_request_context():  # one request, figures shared by its tables
                    here = db.session.merge(node, load=False)
                    for build in jobs.values():
                        build(here, year)

            median, count = timed(dashboard, args.repeat, statements)
            print(f"  {'all (1 req)':<12} {median:10.1f} {count:11d}")


def timed(action, repeat: int, statements: list[int]) -> tuple[float, int]:
    """Median milliseconds of `action` over `repeat` runs after one warm-up, and its statement count."""
    action()
    db.session.rollback()
    times = []
    for _ in range(repeat):
        statements[0] = 0
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
        db.session.rollback()
    return statistics.median(times) * 1000, statements[0]


if __name__ == "__main__":
    main()
