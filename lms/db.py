"""The one SQLAlchemy handle, with naming conventions Alembic can rely on."""
import re
from datetime import datetime, timezone

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    """WAL for concurrent readers, and foreign keys actually enforced. In WAL mode, synchronous=NORMAL
    syncs the log to disk at checkpoints rather than at every commit: the database stays consistent
    whatever happens, and only a power cut or a crash of the machine (not of the application) may lose
    the last commits, which is the usual trade for a server on SQLite."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA cache_size=-65536")  # 64 MB of pages per connection, for report queries
        cursor.execute("PRAGMA mmap_size=268435456")
        cursor.close()


# --- Ending a request's transaction ---------------------------------------------------------------
# A request that only read ends its transaction with COMMIT rather than the ROLLBACK the session would
# send when it closes: the outcome is the same, but psycopg forgets every statement it has prepared on a
# connection at each ROLLBACK, so PostgreSQL would plan each statement of every request afresh. A session
# that wrote anything (flushed, or ran a statement other than a SELECT) still ends with ROLLBACK.

_WROTE = "lms_wrote"


@event.listens_for(Session, "after_flush")
def _flushed(session, _flush_context):
    session.info[_WROTE] = True


@event.listens_for(Session, "do_orm_execute")
def _executed(state):
    if not state.is_select:
        state.session.info[_WROTE] = True


@event.listens_for(Session, "after_transaction_end")
def _transaction_ended(session, transaction):
    if transaction.parent is None:
        session.info.pop(_WROTE, None)


def end_read_only_transaction(error: BaseException | None = None) -> None:
    """At the end of a request, commit the session's transaction if the request only read (teardown)."""
    if error is not None or not db.session.registry.has():
        return
    session = db.session()
    if (session.in_transaction() and not session.in_nested_transaction()
            and not session.info.get(_WROTE) and not (session.new or session.dirty or session.deleted)):
        session.commit()


def commit_without_waiting_for_disk() -> None:
    """Commit bookkeeping a crash may lose without harm (where a learner is reading): PostgreSQL then
    answers before the commit reaches the disk, and the database stays consistent either way. Others
    commit as usual (SQLite in WAL mode does not wait for the disk on commit anyway)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL synchronous_commit TO OFF"))
    db.session.commit()


# Id columns are 32-bit integers: a larger number names no row, and PostgreSQL refuses to compare one.
MAX_ID = 2**31 - 1


# A row id as a URL's path writes it: digits without a leading zero, so that each row has one address.
ID_IN_PATH = r"[1-9][0-9]*"


def id_in_path(text: str) -> int | None:
    """`text`, a segment of a URL's path, as a row id; None unless it is an id written as ID_IN_PATH says."""
    return as_id(text) if re.fullmatch(ID_IN_PATH, text) else None


def as_id(value) -> int | None:
    """`value` (an int, or text typed into a URL or form) as a row id, or None if it cannot be one."""
    if isinstance(value, str):
        value = value.strip()
        if not (value.isascii() and value.isdigit()):
            return None
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value <= MAX_ID:
        return None
    return value


def get_by_id(model, value):
    """The row of `model` with id `value`, or None when there is none or `value` is no id."""
    row_id = as_id(value)
    return db.session.get(model, row_id) if row_id is not None else None
