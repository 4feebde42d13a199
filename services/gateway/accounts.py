"""Accounts, sessions and API tokens: the gateway's own store.

Passwords are hashed with Argon2id (argon2-cffi's RFC 9106 defaults). Session cookies and
bearer tokens are random secrets of which only a SHA-256 digest is stored, so a copy of the
database opens no session."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    MetaData,
    String,
    Table,
    create_engine,
    delete,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from shared.errors import Problem, already_exists, not_found
from shared.eventstore import racing_replicas

SESSION_LIFETIME = timedelta(hours=12)
TOKEN_LIFETIME = timedelta(days=30)

metadata = MetaData()
accounts = Table(
    "gateway_accounts", metadata,
    Column("id", String(36), primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("password_hash", String(200), nullable=False),
    Column("person_id", String(36), nullable=False, default=""),
    # Roles the account holds by itself, not through the roster (the bootstrap administrator).
    Column("own_roles", JSON, nullable=False),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_at", String(40), nullable=False),
)
credentials = Table(
    "gateway_credentials", metadata,
    Column("digest", String(64), primary_key=True),
    Column("account_id", String(36), nullable=False, index=True),
    Column("kind", String(16), nullable=False),  # "session" (cookie) or "token" (bearer)
    Column("csrf", String(64), nullable=False),
    Column("expires_at", String(40), nullable=False),
)


@dataclass(frozen=True)
class Account:
    id: str
    username: str
    person_id: str
    own_roles: tuple[str, ...]


@dataclass(frozen=True)
class Credential:
    secret: str
    csrf: str
    expires_at: datetime


def _now() -> datetime:
    return datetime.now(UTC)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def wrong_login() -> Problem:
    return Problem("unauthenticated", "用户名或密码不正确。", "Wrong username or password.")


class AccountStore:
    def __init__(self, database_url: str):
        self.engine = create_engine(database_url, pool_pre_ping=True)
        racing_replicas(lambda: metadata.create_all(self.engine))  # gunicorn workers start together
        self.hasher = PasswordHasher()

    # --- accounts -------------------------------------------------------------------------

    def create(self, username: str, password: str, person_id: str = "", own_roles: tuple[str, ...] = ()) -> Account:
        account = Account(str(uuid.uuid4()), username, person_id, tuple(own_roles))
        try:
            with self.engine.begin() as db:
                db.execute(insert(accounts).values(
                    id=account.id, username=username, password_hash=self.hasher.hash(password),
                    person_id=person_id, own_roles=list(own_roles), disabled=False,
                    created_at=_now().isoformat(),
                ))
        except IntegrityError:
            raise already_exists("用户名", "Username", username) from None
        return account

    def find(self, username: str) -> Account | None:
        with self.engine.connect() as db:
            row = db.execute(select(accounts).where(accounts.c.username == username)).first()
        return _account(row) if row else None

    def get(self, account_id: str) -> Account:
        with self.engine.connect() as db:
            row = db.execute(select(accounts).where(accounts.c.id == account_id)).first()
        if row is None:
            raise not_found("账号", "account", account_id)
        return _account(row)

    def for_person(self, person_id: str) -> Account | None:
        with self.engine.connect() as db:
            row = db.execute(select(accounts).where(accounts.c.person_id == person_id)).first()
        return _account(row) if row else None

    def list(self) -> list[Account]:
        with self.engine.connect() as db:
            return [_account(r) for r in db.execute(select(accounts).order_by(accounts.c.username))]

    def set_password(self, account_id: str, password: str) -> None:
        with self.engine.begin() as db:
            db.execute(update(accounts).where(accounts.c.id == account_id)
                       .values(password_hash=self.hasher.hash(password)))
            # A new password ends every session and token made with the old one.
            db.execute(delete(credentials).where(credentials.c.account_id == account_id))

    def verify(self, username: str, password: str) -> Account:
        with self.engine.connect() as db:
            row = db.execute(select(accounts).where(accounts.c.username == username)).first()
        if row is None or row.disabled:
            # Spend the same time as a real check, so timing does not reveal usernames.
            self.hasher.hash(password)
            raise wrong_login()
        try:
            self.hasher.verify(row.password_hash, password)
        except (VerificationError, InvalidHashError):
            raise wrong_login() from None
        return _account(row)

    # --- sessions and tokens --------------------------------------------------------------

    def issue(self, account: Account, kind: str) -> Credential:
        secret = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(24)
        expires = _now() + (SESSION_LIFETIME if kind == "session" else TOKEN_LIFETIME)
        with self.engine.begin() as db:
            db.execute(insert(credentials).values(
                digest=_digest(secret), account_id=account.id, kind=kind, csrf=csrf,
                expires_at=expires.isoformat(),
            ))
        return Credential(secret, csrf, expires)

    def resolve(self, secret: str, kind: str) -> tuple[Account, str] | None:
        """The account a live session or token belongs to, and its CSRF token."""
        if not secret:
            return None
        with self.engine.connect() as db:
            row = db.execute(
                select(accounts, credentials.c.csrf, credentials.c.expires_at)
                .join(credentials, credentials.c.account_id == accounts.c.id)
                .where(credentials.c.digest == _digest(secret), credentials.c.kind == kind)
            ).first()
        if row is None or row.disabled or datetime.fromisoformat(row.expires_at) <= _now():
            return None
        return _account(row), row.csrf

    def revoke(self, secret: str) -> None:
        with self.engine.begin() as db:
            db.execute(delete(credentials).where(credentials.c.digest == _digest(secret)))

    def ensure_admin(self, username: str, password: str) -> Account:
        """The bootstrap Party office account, with `password` as its password."""
        found = self.find(username)
        if found is None:
            return self.create(username, password, own_roles=("party_office",))
        try:
            self.verify(username, password)
        except Problem:
            self.set_password(found.id, password)
        return found


def _account(row) -> Account:
    return Account(row.id, row.username, row.person_id or "", tuple(row.own_roles or ()))
