"""Personal API tokens: created by a person for their own account, shown once, kept only as a hash.

A token acts as its user with the roles the user holds at the moment it is used, so withdrawing a role
or deactivating the account takes effect on the very next call.
"""
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from lms.actions import RuleError
from lms.auth.services import token_digest
from lms.db import as_id, db, utcnow
from lms.people.models import User
from lms.reports.models import ApiToken

SECRET_PREFIX = "lms_"
EXPIRY_DAYS = (30, 90, 180, 365, 730)
DEFAULT_EXPIRY_DAYS = 365
MAX_ACTIVE_TOKENS = 20
# A token's "last used" is written at most this often, so that a busy client does not write on every call.
LAST_USED_PRECISION = timedelta(minutes=1)

# Why a request was refused (the English `code` of the 401 answer).
MISSING, MALFORMED, INVALID, EXPIRED, INACTIVE = (
    "missing_token", "malformed_token", "invalid_token", "expired_token", "inactive_account")


class TokenError(RuleError):
    """A token the rules refuse to create."""


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def create_token(user: User, name: str, days: int = DEFAULT_EXPIRY_DAYS) -> tuple[ApiToken, str]:
    """A new token for `user`, valid for `days` days. Returns the row and the secret in clear:
    the secret is shown once and never stored."""
    name = " ".join((name or "").split())
    if not name:
        raise TokenError(_("Hãy đặt tên cho mã truy cập."))
    if days not in EXPIRY_DAYS:
        raise TokenError(_("Thời hạn không hợp lệ."))
    if active_token_count(user) >= MAX_ACTIVE_TOKENS:
        raise TokenError(_("Mỗi người có tối đa %(num)d mã truy cập còn hiệu lực. Hãy thu hồi mã không dùng nữa.",
                           num=MAX_ACTIVE_TOKENS))
    secret = new_secret()
    now = utcnow()
    token = ApiToken(user_id=user.id, name=name[:80], prefix=secret[:len(SECRET_PREFIX) + 4],
                     token_hash=token_digest(secret), created_at=now, expires_at=now + timedelta(days=days))
    db.session.add(token)
    db.session.flush()
    return token, secret


def active_token_count(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(ApiToken).where(
        ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None), ApiToken.expires_at > utcnow()))


def tokens_of(user: User) -> list[ApiToken]:
    """The user's tokens not revoked (expired ones included, so that the person sees why one stopped)."""
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def own_token(user: User, token_id) -> ApiToken | None:
    """One of `user`'s own tokens, revoked or not; None when they have no such token (someone else's included)."""
    row_id = as_id(token_id)
    token = db.session.get(ApiToken, row_id) if row_id is not None else None
    return token if token is not None and token.user_id == user.id else None


def revoke_token(token: ApiToken) -> bool:
    """Revoke `token` now; False when it was revoked before, and keeps the moment it was."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    return True


@dataclass
class Authentication:
    user: User | None = None
    token: ApiToken | None = None
    error: str | None = None  # MISSING | MALFORMED | INVALID | EXPIRED | INACTIVE


def authenticate(authorization: str | None, now: datetime | None = None) -> Authentication:
    """Who an `Authorization: Bearer <token>` header stands for, or why it stands for nobody."""
    if not authorization or not authorization.strip():
        return Authentication(error=MISSING)
    scheme, _space, secret = authorization.strip().partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret or " " in secret:
        return Authentication(error=MALFORMED)
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(secret)))
    now = now or utcnow()
    if token is None or token.revoked_at is not None:
        return Authentication(error=INVALID)
    if token.expires_at <= now:
        return Authentication(error=EXPIRED)
    if not token.user.is_active:
        return Authentication(error=INACTIVE)
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        token.last_used_at = now
        db.session.commit()
    return Authentication(user=token.user, token=token)
