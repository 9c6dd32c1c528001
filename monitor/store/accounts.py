"""Accounts: users and roles, login sessions, personal API tokens, the audit log.

The store keeps hashes only: argon2 for passwords (hashed by the caller,
monitor/web/auth.py), SHA-256 for session and API tokens (random 256-bit
values, so a fast hash is enough and lookups stay one indexed read).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from monitor.store.db import utcnow
from monitor.store.models import ApiToken, AuditEntry, User, UserSession

ROLES = ("viewer", "editor", "admin")


@dataclass(frozen=True)
class UserRow:
    id: int
    name: str
    role: str
    password_hash: str
    created_at: datetime
    disabled: bool

    @classmethod
    def of(cls, u: User) -> UserRow:
        return cls(u.id, u.name, u.role, u.password_hash, u.created_at, bool(u.disabled))

    def can(self, role: str) -> bool:
        """Whether this user has `role` or a higher one."""
        return not self.disabled and ROLES.index(self.role) >= ROLES.index(role)


@dataclass(frozen=True)
class TokenRow:
    id: int
    user: str
    label: str
    scope: str
    created_at: datetime
    last_used_at: datetime | None


@dataclass(frozen=True)
class AuditRow:
    at: datetime
    actor: str
    action: str
    target: str | None
    detail: str | None


class AccountExists(ValueError):
    pass


class AccountsMixin:
    """Mixed into `Store` (and `Reader` for what reading needs)."""

    def session(self) -> Session:  # provided by Store
        raise NotImplementedError

    # --- users -----------------------------------------------------------------

    def user_count(self) -> int:
        with self.session() as s:
            return int(s.scalar(select(func.count()).select_from(User)) or 0)

    def create_user(self, name: str, role: str, password_hash: str) -> UserRow:
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}; roles are {', '.join(ROLES)}")
        try:
            with self.session() as s, s.begin():
                user = User(
                    name=name,
                    role=role,
                    password_hash=password_hash,
                    created_at=utcnow(),
                    disabled=False,
                )
                s.add(user)
                s.flush()
                return UserRow.of(user)
        except IntegrityError:
            raise AccountExists(f"an account named {name!r} exists already") from None

    def user_by_name(self, name: str) -> UserRow | None:
        with self.session() as s:
            user = s.scalar(select(User).where(User.name == name))
            return UserRow.of(user) if user else None

    def users(self) -> list[UserRow]:
        with self.session() as s:
            return [UserRow.of(u) for u in s.scalars(select(User).order_by(User.name))]

    def update_user(
        self,
        name: str,
        *,
        role: str | None = None,
        password_hash: str | None = None,
        disabled: bool | None = None,
    ) -> UserRow:
        """Change an account; a new password or disabling it ends its sessions."""
        if role is not None and role not in ROLES:
            raise ValueError(f"unknown role {role!r}; roles are {', '.join(ROLES)}")
        with self.session() as s, s.begin():
            user = s.scalar(select(User).where(User.name == name))
            if user is None:
                raise LookupError(f"no account named {name!r}")
            if role is not None:
                user.role = role
            if password_hash is not None:
                user.password_hash = password_hash
            if disabled is not None:
                user.disabled = disabled
            if password_hash is not None or disabled:
                s.execute(delete(UserSession).where(UserSession.user_id == user.id))
            return UserRow.of(user)

    # --- sessions --------------------------------------------------------------

    def open_session(
        self, user_id: int, token_sha256: str, csrf: str, expires_at: datetime
    ) -> None:
        now = utcnow()
        with self.session() as s, s.begin():
            s.execute(delete(UserSession).where(UserSession.expires_at < now))
            s.add(
                UserSession(
                    token_sha256=token_sha256,
                    user_id=user_id,
                    csrf=csrf,
                    created_at=now,
                    expires_at=expires_at,
                )
            )

    def session_user(self, token_sha256: str) -> tuple[UserRow, str] | None:
        """The live session's user and CSRF token, or None (unknown, expired, disabled)."""
        with self.session() as s:
            row = s.execute(
                select(User, UserSession.csrf)
                .join(UserSession, UserSession.user_id == User.id)
                .where(UserSession.token_sha256 == token_sha256)
                .where(UserSession.expires_at > utcnow())
            ).first()
        if row is None or row[0].disabled:
            return None
        return UserRow.of(row[0]), str(row[1])

    def close_session(self, token_sha256: str) -> None:
        with self.session() as s, s.begin():
            s.execute(delete(UserSession).where(UserSession.token_sha256 == token_sha256))

    # --- API tokens ------------------------------------------------------------

    def create_token(self, user: str, label: str, scope: str, token_sha256: str) -> TokenRow:
        if scope not in ("read", "write"):
            raise ValueError("a token's scope is read or write")
        with self.session() as s, s.begin():
            owner = s.scalar(select(User).where(User.name == user))
            if owner is None:
                raise LookupError(f"no account named {user!r}")
            token = ApiToken(
                token_sha256=token_sha256,
                user_id=owner.id,
                label=label,
                scope=scope,
                created_at=utcnow(),
            )
            s.add(token)
            s.flush()
            return TokenRow(token.id, owner.name, label, scope, token.created_at, None)

    def token_user(self, token_sha256: str) -> tuple[UserRow, str] | None:
        """The token's user and scope, or None; notes when it was last used."""
        with self.session() as s, s.begin():
            row = s.execute(
                select(User, ApiToken)
                .join(ApiToken, ApiToken.user_id == User.id)
                .where(ApiToken.token_sha256 == token_sha256)
            ).first()
            if row is None or row[0].disabled:
                return None
            s.execute(
                update(ApiToken).where(ApiToken.id == row[1].id).values(last_used_at=utcnow())
            )
            return UserRow.of(row[0]), row[1].scope

    def tokens(self, user: str | None = None) -> list[TokenRow]:
        with self.session() as s:
            query = select(ApiToken, User.name).join(User, User.id == ApiToken.user_id)
            if user is not None:
                query = query.where(User.name == user)
            return [
                TokenRow(t.id, name, t.label, t.scope, t.created_at, t.last_used_at)
                for t, name in s.execute(query.order_by(ApiToken.id))
            ]

    def revoke_token(self, token_id: int) -> bool:
        with self.session() as s, s.begin():
            result = s.execute(delete(ApiToken).where(ApiToken.id == token_id))
            return bool(getattr(result, "rowcount", 0))

    # --- audit log -------------------------------------------------------------

    def audit(
        self, actor: str, action: str, target: str | None = None, detail: str | None = None
    ) -> None:
        with self.session() as s, s.begin():
            s.add(AuditEntry(at=utcnow(), actor=actor, action=action, target=target, detail=detail))

    def audit_log(self, limit: int = 200, actors: Sequence[str] = ()) -> list[AuditRow]:
        with self.session() as s:
            query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
            if actors:
                query = query.where(AuditEntry.actor.in_(actors))
            return [AuditRow(e.at, e.actor, e.action, e.target, e.detail) for e in s.scalars(query)]
