"""Password, sign-in and one-time token rules."""
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from flask import current_app
from sqlalchemy import select, update
from werkzeug.security import check_password_hash, generate_password_hash

from lms.db import db, utcnow
from lms.people.contact import normalise_email, normalise_phone
from lms.people.models import AuthToken, User

MIN_PASSWORD_LENGTH = 8
RESET = "reset"
ACTIVATION = "activate"


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["LMS_PASSWORD_HASH_METHOD"])


def set_password(user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    user.must_change_password = False
    user.failed_login_count = 0
    user.locked_until = None
    db.session.execute(
        update(AuthToken)
        .where(AuthToken.user_id == user.id, AuthToken.used_at.is_(None))
        .values(used_at=utcnow())
    )


def find_by_login(identifier: str) -> User | None:
    """The account whose e-mail or phone number is `identifier`, however it was typed."""
    identifier = (identifier or "").strip()
    if "@" in identifier:
        email = normalise_email(identifier)
        return db.session.scalar(select(User).where(User.email == email)) if email else None
    phone = normalise_phone(identifier)
    return db.session.scalar(select(User).where(User.phone == phone)) if phone else None


@dataclass
class SignInResult:
    user: User | None = None
    error: str | None = None
    locked_minutes: int = 0
    needs_new_password: bool = False


def sign_in(identifier: str, secret: str) -> SignInResult:
    """Check a sign-in; count failures and lock the account for a while after too many."""
    user = find_by_login(identifier)
    if user is None:
        # Hash anyway so that a missing account takes as long as a wrong password.
        check_password_hash(_dummy_hash(current_app.config["LMS_PASSWORD_HASH_METHOD"]), secret)
        return SignInResult(error="wrong")
    now = utcnow()
    if user.locked_until and user.locked_until > now:
        return SignInResult(error="locked", locked_minutes=_minutes_left(user.locked_until, now))
    if not user.is_active:
        return SignInResult(error="inactive")
    if user.password_hash and check_password_hash(user.password_hash, secret):
        return _succeed(user, now, needs_new_password=user.must_change_password)
    if user.password_hash is None and _use_token(user, ACTIVATION, secret):
        return _succeed(user, now, needs_new_password=True)
    return _fail(user, now)


def _succeed(user: User, now: datetime, needs_new_password: bool) -> SignInResult:
    user.failed_login_count = 0
    user.locked_until = None
    user.last_login_at = now
    if needs_new_password:
        user.must_change_password = True
    db.session.commit()
    return SignInResult(user=user, needs_new_password=needs_new_password)


def _fail(user: User, now: datetime) -> SignInResult:
    config = current_app.config
    user.failed_login_count += 1
    if user.failed_login_count >= config["LMS_LOGIN_MAX_FAILURES"]:
        user.failed_login_count = 0
        user.locked_until = now + timedelta(minutes=config["LMS_LOGIN_LOCK_MINUTES"])
        db.session.commit()
        return SignInResult(error="locked", locked_minutes=config["LMS_LOGIN_LOCK_MINUTES"])
    db.session.commit()
    return SignInResult(error="wrong")


def _minutes_left(until: datetime, now: datetime) -> int:
    return max(1, int((until - now).total_seconds() // 60) + 1)


def token_digest(secret: str) -> str:
    """How a secret token is kept: its SHA-256, never the token itself."""
    return hashlib.sha256(secret.strip().encode()).hexdigest()


def issue_token(user: User, purpose: str, lifetime: timedelta) -> str:
    """Create a one-time token and return it in clear; only its hash is stored.
    Earlier unused tokens of the same purpose stop working."""
    db.session.execute(
        update(AuthToken)
        .where(AuthToken.user_id == user.id, AuthToken.purpose == purpose, AuthToken.used_at.is_(None))
        .values(used_at=utcnow())
    )
    secret = new_secret(purpose)
    db.session.add(
        AuthToken(user_id=user.id, purpose=purpose, token_hash=token_digest(secret),
                  expires_at=utcnow() + lifetime)
    )
    return secret


def new_secret(purpose: str) -> str:
    if purpose == ACTIVATION:
        # Short enough to type from a printed list; long enough (~50 bits) for a one-time code.
        alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
        return "".join(secrets.choice(alphabet) for _ in range(10))
    return secrets.token_urlsafe(32)


def activation_token_row(user_id: int, secret: str) -> dict:
    """A row for bulk insert of an activation token (used by the onboarding import)."""
    lifetime = timedelta(days=current_app.config["LMS_ACTIVATION_TOKEN_DAYS"])
    return {"user_id": user_id, "purpose": ACTIVATION, "token_hash": token_digest(secret),
            "expires_at": utcnow() + lifetime, "created_at": utcnow()}


def find_valid_token(secret: str, purpose: str) -> AuthToken | None:
    token = db.session.scalar(
        select(AuthToken).where(AuthToken.token_hash == token_digest(secret), AuthToken.purpose == purpose)
    )
    if token is None or token.used_at is not None or token.expires_at < utcnow():
        return None
    return token


def _use_token(user: User, purpose: str, secret: str) -> bool:
    token = find_valid_token(secret.upper() if purpose == ACTIVATION else secret, purpose)
    if token is None or token.user_id != user.id:
        return False
    token.used_at = utcnow()
    return True


def request_password_reset(identifier: str) -> tuple[User, str] | None:
    """Issue a reset token for the account, if it exists and can receive e-mail."""
    user = find_by_login(identifier)
    if user is None or not user.is_active or not user.email:
        return None
    hours = current_app.config["LMS_RESET_TOKEN_HOURS"]
    secret = issue_token(user, RESET, timedelta(hours=hours))
    db.session.commit()
    return user, secret


def reset_password(secret: str, new_password: str) -> User | None:
    token = find_valid_token(secret, RESET)
    if token is None:
        return None
    user = token.user
    set_password(user, new_password)
    db.session.commit()
    return user


@lru_cache(maxsize=4)
def _dummy_hash(method: str) -> str:
    return generate_password_hash(secrets.token_hex(16), method=method)
