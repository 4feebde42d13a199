"""Operator commands for the read model.

  python -m services.projections rebuild            # replay everything into the read model
  python -m services.projections rebuild --into URL # ... into another database
  python -m services.projections verify             # rebuild aside and compare with live

`rebuild` in place empties the read tables first: stop the projections service while it runs
(or rebuild into another database and point the service there). `verify` leaves live data
alone; it exits 1 if the rebuilt tables differ from the live ones."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import services  # noqa: F401 - quiets eventlet's import-time notice
from services.projections.rebuild import differences, replay, snapshot
from services.projections.service import SOURCES
from services.projections.tables import CONSUMER, open_read_model, renew
from shared.config import load_settings
from shared.consumer import SourceLog


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.projections")
    parser.add_argument("command", choices=["rebuild", "verify"])
    parser.add_argument("--into", help="database URL to rebuild into (default: the service's own)")
    args = parser.parse_args(argv)
    settings = load_settings()
    fetchers = {source: SourceLog(source, settings.amqp_uri) for source in SOURCES}
    live_url = settings.database_url_for(CONSUMER)
    try:
        if args.command == "rebuild":
            model = open_read_model(args.into or live_url)
            started = time.perf_counter()
            renew(model)
            reached = replay(model, fetchers)
            print(json.dumps({"rebuilt": reached, "seconds": round(time.perf_counter() - started, 3)}))
            return 0
        positions, live = snapshot(open_read_model(live_url))
        with tempfile.TemporaryDirectory() as scratch:
            model = open_read_model(f"sqlite:///{Path(scratch) / 'rebuilt.sqlite'}")
            replay(model, fetchers, until=positions)
            _, rebuilt = snapshot(model)
        found = differences(live, rebuilt)
        print(json.dumps({"positions": positions, "identical": not found, "differences": found}))
        return 1 if found else 0
    finally:
        for fetch in fetchers.values():
            fetch.close()


if __name__ == "__main__":
    sys.exit(main())
