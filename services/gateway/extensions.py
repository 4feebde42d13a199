"""Flask extensions created before the app (decorators refer to them at import time)."""

from __future__ import annotations

import os

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

# Counted per worker process by default; set GRASSROOTS_RATELIMIT_STORAGE (e.g. a Redis URL)
# to share the counts between workers and replicas.
limiter = Limiter(
    key_func=get_remote_address,
    storage_uri=os.environ.get("GRASSROOTS_RATELIMIT_STORAGE", "memory://"),
    default_limits=[],
    headers_enabled=True,
)
