"""`monitor users`: accounts, tokens and the audit log, from the command line
(the safe bootstrap: the first admin is made here, on the server)."""

from __future__ import annotations

import argparse
import sys

from monitor.cli.base import EXIT_OK, emit, open_store, when
from monitor.config import ConfigError, load_config

MIN_PASSWORD = 12


def _password(args: argparse.Namespace) -> tuple[str, bool]:
    """(password, generated): read from stdin, or generated and shown once."""
    from monitor.web.auth import new_password

    if args.password_stdin:
        password = sys.stdin.read().rstrip("\n")
        if len(password) < MIN_PASSWORD:
            raise ConfigError(f"the password must have at least {MIN_PASSWORD} characters")
        return password, False
    return new_password(), True


def _store(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    try:
        config = load_config(args.config)
    except ConfigError:
        config = None  # accounts do not need sources.yaml, only the database
    return open_store(args, config)


def cmd_users_add(args: argparse.Namespace) -> int:
    from monitor.store.accounts import AccountExists
    from monitor.web.auth import hash_password

    name = args.name.strip()
    if not name or len(name) > 64:
        raise ConfigError("an account name has 1 to 64 characters")
    password, generated = _password(args)
    store = _store(args)
    try:
        try:
            user = store.create_user(name, args.role, hash_password(password))
        except AccountExists as exc:
            raise ConfigError(str(exc)) from None
        store.audit("cli", "account created", name, args.role)
    finally:
        store.close()
    if args.json:
        emit({"name": user.name, "role": user.role, "password": password if generated else None})
    else:
        print(f"account {user.name!r} ({user.role}) created")
        if generated:
            print(f"password (shown once): {password}")
    return EXIT_OK


def cmd_users_list(args: argparse.Namespace) -> int:
    store = _store(args)
    try:
        users, tokens = store.users(), store.tokens()
    finally:
        store.close()
    rows = [
        {
            "name": u.name,
            "role": u.role,
            "disabled": u.disabled,
            "created_at": u.created_at.isoformat(),
            "tokens": sum(t.user == u.name for t in tokens),
        }
        for u in users
    ]
    if args.json:
        emit(rows)
    else:
        for r in rows:
            state = " (disabled)" if r["disabled"] else ""
            print(f"{r['name']:<24} {r['role']:<7}{state}  tokens {r['tokens']}")
        if not rows:
            print("no accounts: add one with `monitor users add NAME --role admin`")
    return EXIT_OK


def cmd_users_set(args: argparse.Namespace) -> int:
    from monitor.web.auth import hash_password

    if args.disable and args.enable:
        raise ConfigError("--disable or --enable, not both")
    password = generated = None
    if args.new_password or args.password_stdin:
        password, generated = _password(args)
    store = _store(args)
    try:
        try:
            user = store.update_user(
                args.name,
                role=args.role,
                password_hash=hash_password(password) if password else None,
                disabled=True if args.disable else False if args.enable else None,
            )
        except LookupError as exc:
            raise ConfigError(str(exc)) from None
        changes = [
            f"role {args.role}" if args.role else "",
            "password" if password else "",
            "disabled" if args.disable else "enabled" if args.enable else "",
        ]
        store.audit("cli", "account changed", args.name, ", ".join(c for c in changes if c))
    finally:
        store.close()
    print(f"account {user.name!r}: {user.role}{' (disabled)' if user.disabled else ''}")
    if generated:
        print(f"new password (shown once): {password}")
    return EXIT_OK


def cmd_users_token(args: argparse.Namespace) -> int:
    from monitor.web.auth import digest, new_token

    store = _store(args)
    try:
        user = store.user_by_name(args.name)
        if user is None:
            raise ConfigError(f"no account named {args.name!r}")
        if args.scope == "write" and not user.can("editor"):
            raise ConfigError("a write token needs an editor or admin account")
        token = new_token()
        store.create_token(user.name, args.label, args.scope, digest(token))
        store.audit("cli", "token created", user.name, f"{args.label} ({args.scope})")
    finally:
        store.close()
    if args.json:
        emit({"name": user.name, "scope": args.scope, "label": args.label, "token": token})
    else:
        print(f"token for {user.name} ({args.scope}, shown once): {token}")
    return EXIT_OK


def cmd_users_audit(args: argparse.Namespace) -> int:
    store = _store(args)
    try:
        entries = store.audit_log(max(1, min(args.limit, 10_000)))
    finally:
        store.close()
    if args.json:
        emit([e.__dict__ for e in entries])
    else:
        for e in entries:
            extra = f"  {e.detail}" if e.detail else ""
            target = e.target or ""
            print(f"{when(e.at.isoformat(), '')}  {e.actor:<16} {e.action:<18} {target}{extra}")
    return EXIT_OK
