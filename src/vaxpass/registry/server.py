"""The reference matching service over HTTP (stdlib server, one thread per connection).

``POST /v1/match`` one query → one result; ``POST /v1/match/batch`` ``{"queries": [...]}`` →
``{"results": [...]}``; ``GET /v1/health`` → ``{"status": "ok", "citizens": n}``. Errors are
``{"error": CODE, "detail": ...}`` with status 400/404/413 and never echo the request.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from vaxpass.registry import wire
from vaxpass.registry.store import RegistryStore

MAX_BODY = 16 * 1024 * 1024
Handler = Callable[[RegistryStore, Any], dict[str, Any]]


def _match_one(store: RegistryStore, body: Any) -> dict[str, Any]:
    return wire.result_to_json(store.match_batch([wire.query_from_json(body)])[0])


def _match_batch(store: RegistryStore, body: Any) -> dict[str, Any]:
    results = store.match_batch(wire.queries_from_json(body))
    return {"results": [wire.result_to_json(r) for r in results]}


_POST_ROUTES: dict[str, Handler] = {"/v1/match": _match_one, "/v1/match/batch": _match_batch}


class _RegistryHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body leave in separate writes: without TCP_NODELAY, Nagle's algorithm and the
    # client's delayed ACK hold every response back by tens of milliseconds.
    disable_nagle_algorithm = True
    server: _RegistryServer

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: request lines could be logged, bodies never are."""

    def _send(self, status: HTTPStatus, payload: dict[str, Any]) -> None:
        body = wire.encode(payload)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _error(self, status: HTTPStatus, code: str, detail: str) -> None:
        self._send(status, {"error": code, "detail": detail})

    def do_GET(self) -> None:
        if self.path != "/v1/health":
            self._error(HTTPStatus.NOT_FOUND, "NOT_FOUND", "unknown path")
            return
        self._send(HTTPStatus.OK, {"status": "ok", "citizens": self.server.store.count()})

    def do_POST(self) -> None:
        route = _POST_ROUTES.get(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        if route is None:
            self._error(HTTPStatus.NOT_FOUND, "NOT_FOUND", "unknown path")
        elif not 0 < length <= MAX_BODY:
            self.close_connection = True
            self._error(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "BODY_SIZE", "empty or too large")
        else:
            self._handle(route, self.rfile.read(length))

    def _handle(self, route: Handler, raw: bytes) -> None:
        try:
            payload = route(self.server.store, json.loads(raw))
        except (ValueError, UnicodeDecodeError) as exc:
            detail = str(exc) if not isinstance(exc, json.JSONDecodeError) else "invalid JSON"
            self._error(HTTPStatus.BAD_REQUEST, "BAD_REQUEST", detail)
            return
        self._send(HTTPStatus.OK, payload)


class _RegistryServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], store: RegistryStore) -> None:
        super().__init__(address, _RegistryHandler)
        self.store = store


@dataclass
class RunningRegistry:
    """A registry service running in a background thread; ``stop()`` shuts it down."""

    server: _RegistryServer
    thread: threading.Thread

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def make_server(store: RegistryStore, host: str = "127.0.0.1", port: int = 0) -> _RegistryServer:
    return _RegistryServer((host, port), store)


def start_registry(store: RegistryStore, host: str = "127.0.0.1", port: int = 0) -> RunningRegistry:
    """Serve ``store`` on ``host:port`` (port 0 picks a free one) in a daemon thread."""
    server = make_server(store, host, port)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="registry", daemon=True
    )
    thread.start()
    return RunningRegistry(server, thread)
