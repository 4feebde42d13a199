"""Gateway administration: `python -m services.gateway ensure-admin`.

Makes sure the Party office's bootstrap account exists with a known password: the one in
GRASSROOTS_ADMIN_PASSWORD, or else one generated on first use and kept (mode 0600) in the data
directory. Prints the username and password, unless `--quiet` (when the password comes from a
secret, as in Compose and Kubernetes, it has no business in a job's log)."""

from __future__ import annotations

import argparse
import os
import secrets
import sys

from services.gateway.accounts import AccountStore
from shared.config import load_settings


def ensure_admin() -> tuple[str, str]:
    settings = load_settings()
    username = os.environ.get("GRASSROOTS_ADMIN_USER", "admin")
    password = os.environ.get("GRASSROOTS_ADMIN_PASSWORD", "")
    kept = settings.data_dir / "admin-password"
    if not password:
        if kept.exists():
            password = kept.read_text().strip()
        else:
            password = secrets.token_urlsafe(12)
            settings.data_dir.mkdir(parents=True, exist_ok=True)
            kept.touch(mode=0o600)
            kept.write_text(password + "\n")
    AccountStore(settings.database_url_for("gateway")).ensure_admin(username, password)
    return username, password


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.gateway")
    parser.add_argument("command", choices=["ensure-admin"])
    parser.add_argument("--quiet", action="store_true", help="do not print the password")
    args = parser.parse_args(argv)
    username, password = ensure_admin()
    print(username if args.quiet else f"{username} {password}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
