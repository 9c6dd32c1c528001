"""The `monitor` command. Every subcommand takes `--json` for scripts."""

import argparse
import logging
import sys
from collections.abc import Sequence

from monitor.cli.base import EXIT_ERRORS, EXIT_USAGE, later
from monitor.cli.base import add_command as _add
from monitor.cli.db import add_db_parser
from monitor.cli.extracting import add_extract_parsers
from monitor.config import ConfigError
from monitor.logs import setup as setup_logging
from monitor.store.errors import DatabaseError, MissingDatabase


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("monitor")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown (not installed)"


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config", help="path to sources.yaml (default: ./sources.yaml or $MONITOR_CONFIG)"
    )
    common.add_argument(
        "--db", help="database URL (default: $MONITOR_DATABASE_URL or sqlite:///storage/monitor.db)"
    )
    common.add_argument("--json", action="store_true", help="machine-readable output")
    common.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    common.add_argument(
        "--log-format", choices=("text", "json"), default="text", help="text or JSON lines"
    )

    parser = argparse.ArgumentParser(
        prog="monitor",
        description="Track texts on Russia–Kazakhstan agreements and their edits.",
        epilog="Run `monitor COMMAND --help` for a command's options and examples.",
    )
    parser.add_argument("--version", action="version", version=f"monitor {_version()}")
    sub = parser.add_subparsers(dest="command", required=True)

    sources = sub.add_parser(
        "sources",
        help="inspect the source configuration",
        description="Check sources.yaml and see when each source, feed and document is due.",
    )
    sources_sub = sources.add_subparsers(dest="sources_command", required=True)
    validate = _add(
        sources_sub,
        "validate",
        "validate sources.yaml",
        "Load and validate the configuration without touching the network or the database; "
        "errors name the file, line, source and field.",
        """
        monitor sources validate
        monitor sources validate --config /etc/monitor/sources.yaml --json
        """,
        parents=[common],
    )
    validate.set_defaults(func=later("monitor.cli.ops", "cmd_sources_validate"))
    status = _add(
        sources_sub,
        "status",
        "when each source, feed and document is due",
        "Per source: its interval, tracked and removed documents, each feed, listing and "
        "sitemap with its next poll and last error. Reads the database; refuses one that "
        "does not exist.",
        """
        monitor sources status
        monitor sources status --json | jq '.[] | select(.endpoints[].last_error)'
        """,
        parents=[common],
    )
    status.set_defaults(func=later("monitor.cli.ops", "cmd_sources_status"))
    export = _add(
        sources_sub,
        "export",
        "the sources managed in the web UI, as sources.yaml",
        "Write the sources added or edited in the web UI as a sources.yaml fragment (pauses "
        "as comments), to move them into the file.",
        """
        monitor sources export > ui-sources.yaml
        monitor sources export --json
        """,
        parents=[common],
    )
    export.set_defaults(func=later("monitor.cli.ops", "cmd_sources_export"))

    check = _add(
        sub,
        "check",
        "run one check cycle now",
        "One cycle now: poll every feed, listing and sitemap of the selected sources (due or "
        "not), examine new links, fetch every watched and due document, store new versions "
        "and queue alerts. Exit status 1 when something failed and nothing succeeded.",
        """
        monitor check
        monitor check --source kremlin-ru --source akorda-ru
        monitor check --json | jq .discovery_errors
        """,
        parents=[common],
    )
    check.add_argument(
        "--source", action="append", metavar="ID", help="only this source (repeatable)"
    )
    check.set_defaults(func=later("monitor.cli.documents", "cmd_check"))

    history = _add(
        sub,
        "history",
        "list a document's versions",
        "Every stored version of one document (by id or URL), with its themes and the "
        "summary of each change.",
        """
        monitor history 42
        monitor history http://kremlin.ru/supplement/6322 --json
        """,
        parents=[common],
    )
    history.add_argument("document", metavar="URL_OR_ID")
    history.set_defaults(func=later("monitor.cli.documents", "cmd_history"))

    diff = _add(
        sub,
        "diff",
        "show what changed between versions",
        "A word-level diff between two versions of a document (default: the latest and the "
        "one before), coloured on a terminal, [-deleted-]{+inserted+} in a pipe.",
        """
        monitor diff 42
        monitor diff 42 --from 1 --to 5 --full
        monitor diff http://akorda.kz/ru/some-page-123 --json
        """,
        parents=[common],
    )
    diff.add_argument("document", metavar="URL_OR_ID")
    diff.add_argument(
        "--from",
        dest="from_",
        type=int,
        metavar="N",
        help="older version (default: the one before --to)",
    )
    diff.add_argument("--to", type=int, metavar="M", help="newer version (default: latest)")
    diff.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    diff.add_argument("--full", action="store_true", help="do not shorten unchanged text")
    diff.set_defaults(func=later("monitor.cli.documents", "cmd_diff"))

    alerts = _add(
        sub,
        "alerts",
        "the alert outbox: list, `retry ID`, or `dispatch` what is due",
        "Alerts wait in an outbox until delivered. `list` shows them (newest first), "
        "`retry ID` re-queues a failed or uncertain one, `dispatch` delivers what is due now "
        "(the service does this every few seconds).",
        """
        monitor alerts
        monitor alerts list --status failed
        monitor alerts retry 17
        monitor alerts dispatch
        """,
        parents=[common],
    )
    alerts.add_argument("action", nargs="?", choices=("list", "retry", "dispatch"), default="list")
    alerts.add_argument("id", nargs="?", type=int, help="alert id (for retry)")
    alerts.add_argument("--status", choices=("pending", "sending", "sent", "failed", "uncertain"))
    alerts.add_argument("--limit", type=int, default=100)
    alerts.set_defaults(func=later("monitor.cli.ops", "cmd_alerts"))

    demo = _add(
        sub,
        "demo",
        "watch a simulated news site for a minute: new, changed, removed documents",
        "Starts a simulated news site on loopback (no network needed) that publishes, edits "
        "and takes down articles while check cycles run every few seconds, and prints each "
        "event as it is stored.",
        """
        monitor demo
        monitor demo --seconds 20 --db sqlite:////tmp/demo.db
        """,
        parents=[common],
    )
    demo.add_argument("--seconds", type=float, default=60.0, help="how long (default 60)")
    demo.set_defaults(func=later("monitor.cli.ops", "cmd_demo"))

    add_db_parser(sub, common)
    add_extract_parsers(sub, common)

    run = _add(
        sub,
        "run",
        "run the service: check every source on its interval",
        "The service: checks each source on its interval, delivers alerts, serves the web "
        "UI. SIGHUP (or --watch-config) reloads sources.yaml; SIGTERM or Ctrl-C stops taking "
        "work and lets checks in flight finish for up to --grace seconds.",
        """
        monitor run
        monitor run --no-web --grace 60
        monitor run --host 0.0.0.0 --port 8080 --watch-config
        """,
        parents=[common],
    )
    run.add_argument("--no-web", action="store_true", help="do not serve the web UI")
    run.add_argument("--host", help="web UI address (default $MONITOR_WEB_HOST or 127.0.0.1)")
    run.add_argument("--port", type=int, help="web UI port (default $MONITOR_WEB_PORT or 8080)")
    run.add_argument(
        "--watch-config", action="store_true", help="reload sources.yaml when it changes"
    )
    run.add_argument(
        "--grace", type=float, default=30.0, help="seconds to finish work on SIGTERM (30)"
    )
    run.add_argument(
        "--workers",
        type=int,
        default=0,
        metavar="N",
        help="PostgreSQL only: check through the job queue, N jobs at once in this process "
        "(other machines add `monitor worker`); 0 = the single-process scheduler (default)",
    )
    run.set_defaults(func=later("monitor.cli.ops", "cmd_run"))

    worker = _add(
        sub,
        "worker",
        "run a worker: checks, discovery and alerts from the job queue (PostgreSQL)",
        "One worker of the job queue on PostgreSQL (procrastinate): runs document checks, "
        "discovery polls and alert deliveries, N at once; any worker also dispatches the "
        "due checks once per tick. Start as many as you like, on as many machines: a "
        "document is never queued or checked twice at once, each host's politeness holds "
        "across all of them, and a check retried after a worker died adds no second "
        "version or alert. SIGTERM lets running jobs finish for up to --grace seconds.",
        """
        monitor worker --db postgresql+psycopg://monitor@db/monitor
        monitor worker --concurrency 16 --queues checks discovery
        monitor worker --queues alerts dispatch
        """,
        parents=[common],
    )
    worker.add_argument(
        "--concurrency", type=int, default=4, metavar="N", help="jobs at once (default 4)"
    )
    worker.add_argument(
        "--queues",
        nargs="+",
        metavar="QUEUE",
        help="only these queues: checks, discovery, alerts, dispatch (default all)",
    )
    worker.add_argument(
        "--tick", type=int, default=5, help="seconds between dispatches of due checks (5)"
    )
    worker.add_argument(
        "--stalled-after",
        type=float,
        default=30.0,
        help="seconds without a heartbeat before a worker's jobs are retried elsewhere (30)",
    )
    worker.add_argument(
        "--grace", type=float, default=30.0, help="seconds to finish jobs on SIGTERM (30)"
    )
    worker.add_argument(
        "--metrics-port",
        type=int,
        metavar="PORT",
        help="serve this worker's Prometheus metrics (its throughput) on this port",
    )
    worker.set_defaults(func=later("monitor.cli.ops", "cmd_worker"))

    users = sub.add_parser(
        "users",
        help="accounts of the web UI and API: add, list, change, tokens, audit log",
        description="Accounts (viewer < editor < admin). A server on a non-loopback "
        "address serves nothing until an admin exists.",
    )
    users_sub = users.add_subparsers(dest="users_command", required=True)
    add = _add(
        users_sub,
        "add",
        "add an account (prints a generated password unless --password-stdin)",
        "Add an account with a role. The password is generated and printed once, or read "
        "from standard input with --password-stdin (at least 12 characters).",
        """
        monitor users add alice --role admin
        printf '%s' "$PASSWORD" | monitor users add bob --role viewer --password-stdin
        """,
        parents=[common],
    )
    add.add_argument("name")
    add.add_argument("--role", choices=("viewer", "editor", "admin"), default="viewer")
    add.add_argument("--password-stdin", action="store_true", help="read the password")
    add.set_defaults(func=later("monitor.cli.accounts", "cmd_users_add"))
    listing = _add(
        users_sub,
        "list",
        "list accounts",
        "Every account with its role.",
        "monitor users list",
        parents=[common],
    )
    listing.set_defaults(func=later("monitor.cli.accounts", "cmd_users_list"))
    change = _add(
        users_sub,
        "set",
        "change an account's role, password or state",
        "Change a role, set a new password (generated, or --password-stdin), disable or "
        "enable an account. A new password or disabling ends the account's sessions.",
        """
        monitor users set bob --role editor
        monitor users set bob --new-password
        monitor users set bob --disable
        """,
        parents=[common],
    )
    change.add_argument("name")
    change.add_argument("--role", choices=("viewer", "editor", "admin"))
    change.add_argument("--new-password", action="store_true", help="generate a new password")
    change.add_argument("--password-stdin", action="store_true", help="read the new password")
    change.add_argument("--disable", action="store_true")
    change.add_argument("--enable", action="store_true")
    change.set_defaults(func=later("monitor.cli.accounts", "cmd_users_set"))
    token = _add(
        users_sub,
        "token",
        "create a personal API token for an account (printed once)",
        "A token for the JSON API and the Atom feeds (Authorization: Bearer TOKEN, or "
        "?access_token= on a feed URL). The write scope needs an editor.",
        """
        monitor users token alice --label grafana
        monitor users token bob --scope write --label scripts
        """,
        parents=[common],
    )
    token.add_argument("name")
    token.add_argument("--scope", choices=("read", "write"), default="read")
    token.add_argument("--label", default="cli")
    token.set_defaults(func=later("monitor.cli.accounts", "cmd_users_token"))
    audit = _add(
        users_sub,
        "audit",
        "show the audit log",
        "Who did what and when: logins, account changes, actions in the UI and API.",
        "monitor users audit --limit 50",
        parents=[common],
    )
    audit.add_argument("--limit", type=int, default=100)
    audit.set_defaults(func=later("monitor.cli.accounts", "cmd_users_audit"))

    serve = _add(
        sub,
        "serve",
        "serve the web UI, JSON API and feeds (actions need $MONITOR_WEB_TOKEN)",
        "The web UI, JSON API and Atom feeds alone, without checking (e.g. on a read-only "
        "replica). The database must exist.",
        """
        monitor serve
        MONITOR_WEB_TOKEN=secret monitor serve --host 0.0.0.0 --port 8080
        """,
        parents=[common],
    )
    serve.add_argument("--host", help="address (default $MONITOR_WEB_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default $MONITOR_WEB_PORT or 8080)")
    serve.set_defaults(func=later("monitor.cli.ops", "cmd_serve"))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    setup_logging(
        logging.INFO if args.verbose or args.command == "run" else logging.ERROR,
        getattr(args, "log_format", "text"),
    )
    try:
        return int(args.func(args))
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except MissingDatabase as exc:  # a read-only command on a database that is not there
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (DatabaseError, LookupError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERRORS
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
