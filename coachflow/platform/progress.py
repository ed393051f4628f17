"""Progress of long jobs, readable by any process while the job's own transaction is open.

With ``REDIS_URL`` the figures live in Redis (every web process and worker sees them); in the
embedded mode there is one process, and they live in its memory.
"""

from __future__ import annotations

import json
import threading

from flask import current_app

_LOCAL: dict[str, dict] = {}
_LOCK = threading.Lock()
TTL_SECONDS = 24 * 3600


def _redis():
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    import redis

    client = current_app.extensions.get("progress_redis")
    if client is None:
        client = current_app.extensions["progress_redis"] = redis.Redis.from_url(url)
    return client


def report(key: str, **figures: object) -> None:
    """Record the latest figures of job ``key`` (done, total, …)."""
    client = _redis()
    if client is not None:
        client.set(f"coachflow:progress:{key}", json.dumps(figures), ex=TTL_SECONDS)
        return
    with _LOCK:
        _LOCAL[key] = dict(figures)


def read(key: str) -> dict:
    """The latest figures of job ``key``, or an empty dict."""
    client = _redis()
    if client is not None:
        raw = client.get(f"coachflow:progress:{key}")
        return json.loads(raw) if raw else {}
    with _LOCK:
        return dict(_LOCAL.get(key, {}))
