"""The `monitor` command. Every subcommand takes `--json` for scripts."""

import argparse
import logging
import sys
from collections.abc import Sequence

from monitor.cli.base import EXIT_ERRORS, EXIT_USAGE
from monitor.cli.db import add_db_parser
from monitor.cli.documents import cmd_check, cmd_diff, cmd_history
from monitor.cli.ops import (
    cmd_alerts,
    cmd_demo,
    cmd_run,
    cmd_serve,
    cmd_sources_status,
    cmd_sources_validate,
)
from monitor.config import ConfigError
from monitor.logs import setup as setup_logging
from monitor.store import DatabaseError


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
        prog="monitor", description="Track texts on Russia–Kazakhstan agreements and their edits."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    sources = sub.add_parser("sources", help="inspect the source configuration")
    sources_sub = sources.add_subparsers(dest="sources_command", required=True)
    validate = sources_sub.add_parser("validate", parents=[common], help="validate sources.yaml")
    validate.set_defaults(func=cmd_sources_validate)
    status = sources_sub.add_parser(
        "status", parents=[common], help="when each source, feed and document is due"
    )
    status.set_defaults(func=cmd_sources_status)

    check = sub.add_parser("check", parents=[common], help="run one check cycle")
    check.add_argument(
        "--source", action="append", metavar="ID", help="only this source (repeatable)"
    )
    check.set_defaults(func=cmd_check)

    history = sub.add_parser("history", parents=[common], help="list a document's versions")
    history.add_argument("document", metavar="URL_OR_ID")
    history.set_defaults(func=cmd_history)

    diff = sub.add_parser("diff", parents=[common], help="show what changed between versions")
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
    diff.set_defaults(func=cmd_diff)

    alerts = sub.add_parser(
        "alerts",
        parents=[common],
        help="the alert outbox: list, `retry ID`, or `dispatch` what is due",
    )
    alerts.add_argument("action", nargs="?", choices=("list", "retry", "dispatch"), default="list")
    alerts.add_argument("id", nargs="?", type=int, help="alert id (for retry)")
    alerts.add_argument("--status", choices=("pending", "sending", "sent", "failed", "uncertain"))
    alerts.add_argument("--limit", type=int, default=100)
    alerts.set_defaults(func=cmd_alerts)

    demo = sub.add_parser(
        "demo",
        parents=[common],
        help="watch a simulated news site for a minute: new, changed, removed documents",
    )
    demo.add_argument("--seconds", type=float, default=60.0, help="how long (default 60)")
    demo.set_defaults(func=cmd_demo)

    add_db_parser(sub, common)

    run = sub.add_parser(
        "run", parents=[common], help="run the service: check every source on its interval"
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
    run.set_defaults(func=cmd_run)

    serve = sub.add_parser(
        "serve",
        parents=[common],
        help="serve the web UI, JSON API and feeds (actions need $MONITOR_WEB_TOKEN)",
    )
    serve.add_argument("--host", help="address (default $MONITOR_WEB_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default $MONITOR_WEB_PORT or 8080)")
    serve.set_defaults(func=cmd_serve)
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
    except (DatabaseError, LookupError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERRORS
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
