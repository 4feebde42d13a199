"""Where a service finds its database, its broker and its data directory.

Embedded default: one SQLite file per service under the data directory. Production: the one
PostgreSQL database named by DATABASE_URL, each service keeping its own table set (the table
names carry the service's name as a prefix)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_AMQP_URI = "pyamqp://guest:guest@127.0.0.1:5672/"


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    amqp_uri: str
    database_url: str | None = None

    def database_url_for(self, service: str) -> str:
        if self.database_url:
            return normalise_database_url(self.database_url)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{self.data_dir / service}.sqlite"


def normalise_database_url(url: str) -> str:
    """Accept the usual `postgresql://` spelling and use the psycopg 3 driver for it."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    return Settings(
        data_dir=Path(env.get("GRASSROOTS_DATA_DIR") or Path.cwd() / "var").resolve(),
        amqp_uri=env.get("AMQP_URI") or DEFAULT_AMQP_URI,
        database_url=env.get("DATABASE_URL") or None,
    )
