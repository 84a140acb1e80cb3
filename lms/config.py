"""Configuration read from the environment, with safe defaults for a local install."""
import os
import secrets
from datetime import date
from pathlib import Path

MAX_KEEP_DAYS = 36500  # a hundred years: the longest anything is kept


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key(instance_path: Path) -> str:
    """Return LMS_SECRET_KEY, or a key generated once and kept under instance/."""
    from_env = os.environ.get("LMS_SECRET_KEY")
    if from_env:
        return from_env
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _whole_number(name: str, default: int, low: int, high: int) -> int:
    """A whole number from `low` to `high`."""
    raw = os.environ.get(name, str(default)).strip()
    if not (raw.isascii() and raw.isdigit() and low <= int(raw) <= high):
        raise ValueError(f"{name} must be a whole number from {low} to {high}; got {raw!r}")
    return int(raw)


def _month_day(name: str, default: str) -> tuple[int, int]:
    """A day of every year written MM-DD (29 February is not one)."""
    raw = os.environ.get(name, default).strip()
    try:
        month, day = (int(part) for part in raw.split("-"))
        date(2001, month, day)
    except ValueError:
        raise ValueError(f"{name} must be a day of the year written MM-DD, such as 12-15; got {raw!r}") from None
    return month, day


def load_config(instance_path: Path) -> dict:
    instance_path.mkdir(parents=True, exist_ok=True)
    default_db = f"sqlite:///{instance_path / 'lms.sqlite3'}"
    return {
        "SECRET_KEY": _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": os.environ.get("LMS_DATABASE_URL", default_db),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_NAME": "lms_session",
        "PERMANENT_SESSION_LIFETIME": 60 * 60 * 12,
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": 10 * 1024 * 1024,
        "BABEL_DEFAULT_LOCALE": "vi",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
        "LMS_LOCALES": ("vi", "en"),
        "LMS_PASSWORD_HASH_METHOD": os.environ.get("LMS_PASSWORD_HASH_METHOD", "scrypt"),
        "LMS_LOGIN_MAX_FAILURES": _whole_number("LMS_LOGIN_MAX_FAILURES", 5, 1, 100),
        "LMS_LOGIN_LOCK_MINUTES": _whole_number("LMS_LOGIN_LOCK_MINUTES", 15, 1, 24 * 60),
        "LMS_RESET_TOKEN_HOURS": _whole_number("LMS_RESET_TOKEN_HOURS", 2, 1, 72),
        "LMS_ACTIVATION_TOKEN_DAYS": _whole_number("LMS_ACTIVATION_TOKEN_DAYS", 30, 1, 365),
        "LMS_SMTP_HOST": os.environ.get("LMS_SMTP_HOST", ""),
        "LMS_SMTP_PORT": _whole_number("LMS_SMTP_PORT", 587, 1, 65535),
        "LMS_SMTP_USERNAME": os.environ.get("LMS_SMTP_USERNAME", ""),
        "LMS_SMTP_PASSWORD": os.environ.get("LMS_SMTP_PASSWORD", ""),
        "LMS_SMTP_STARTTLS": _flag("LMS_SMTP_STARTTLS", True),
        "LMS_MAIL_FROM": os.environ.get("LMS_MAIL_FROM", "LMS Tình nguyện <no-reply@localhost>"),
        "LMS_BEHIND_PROXY": _flag("LMS_BEHIND_PROXY"),
        # How long computed report figures are kept, shared by every worker, before the aggregate queries
        # run again (0: never kept); `flask lms reports refresh` computes them ahead. Kept in files under
        # LMS_REPORT_CACHE_DIR (default: the instance folder's report-cache).
        "LMS_REPORT_CACHE_SECONDS": _whole_number("LMS_REPORT_CACHE_SECONDS", 900, 0, 7 * 24 * 3600),
        "LMS_REPORT_CACHE_DIR": os.environ.get("LMS_REPORT_CACHE_DIR", ""),
        # How long the log of downloads of lists of people keeps its entries; `flask lms prune-download-log`
        # (run daily) removes older ones.
        "LMS_DOWNLOAD_LOG_DAYS": _whole_number("LMS_DOWNLOAD_LOG_DAYS", 730, 1, MAX_KEEP_DAYS),
        # The day of the report's year by which each unit sends its signed yearly report up (MM-DD).
        "LMS_YEARLY_REPORT_DUE": _month_day("LMS_YEARLY_REPORT_DUE", "12-15"),
    }
