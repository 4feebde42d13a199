"""Flask extensions created before the app (decorators refer to them at import time)."""

from __future__ import annotations

import json
import os

from flask import request
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


def sign_in_key() -> str:
    """Sign-in attempts are counted per address and username, so one person's typos do not
    lock out a whole ward behind one NAT address; a looser per-address limit also applies."""
    # Read the body through the cache first: parsing it as a form would consume it, and the
    # API accepts JSON whatever the Content-Type says.
    raw = request.get_data(cache=True)
    try:
        body = json.loads(raw) if raw else {}
    except ValueError:
        body = None
    username = body.get("username") if isinstance(body, dict) else request.form.get("username")
    return f"{get_remote_address()}|{str(username or '')[:64]}"


SIGN_IN_LIMITS = ("10/minute", "60/minute")

# Unknown (404), used or voided (409) ballot codes per address, on the page and the API together.
# Nothing else counts: not valid ballots (a ward's voters may all come from behind one address),
# not incomplete ones, not an overloaded service's 503. Codes carry 60 random bits; this only
# slows guessing.
BALLOT_FAILURES = "20/minute"
code_failures = limiter.shared_limit(
    BALLOT_FAILURES, scope="ballot-codes", deduct_when=lambda response: response.status_code in (404, 409),
)
