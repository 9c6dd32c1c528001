"""A programmable HTTP/1.1 server on 127.0.0.1 serving real bytes.

Handlers are plain functions `Request -> Response`, registered per path, so a
test can make a page change between requests, send gzip or windows-1251 bytes,
answer slowly, redirect in a loop or fail, and then inspect what was asked.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    at: float


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before the headers are sent
    etag: bool = False  # derive an ETag from the body and answer 304 when it matches
    gzip: bool = False
    chunk_delay: float = 0.0  # seconds between 1 KB body chunks (a slow server)

    @classmethod
    def html(
        cls, text: str, *, charset: str | None = "utf-8", encoding: str = "utf-8", **kwargs: object
    ) -> Response:
        ctype = "text/html" + (f"; charset={charset}" if charset else "")
        headers = {"Content-Type": ctype, **kwargs.pop("headers", {})}  # type: ignore[dict-item]
        return cls(body=text.encode(encoding), headers=headers, **kwargs)  # type: ignore[arg-type]


Handler = Callable[[Request], Response]


class _RequestHandler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        request = Request("GET", parts.path, parts.query, dict(self.headers.items()), time.time())
        sim = self.server.sim
        with sim.lock:
            sim.requests.append(request)
            handler = sim.routes.get(parts.path)
        response = handler(request) if handler else Response(404, b"not found")
        if response.delay:
            time.sleep(response.delay)
        body, headers = response.body, dict(response.headers)
        if response.etag:
            tag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            headers["ETag"] = tag
            if request.headers.get("If-None-Match") == tag:
                self._send(304, b"", {"ETag": tag})
                return
        if response.gzip and "gzip" in request.headers.get("Accept-Encoding", ""):
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        self._send(response.status, body, headers, response.chunk_delay)

    def _send(
        self, status: int, body: bytes, headers: dict[str, str], chunk_delay: float = 0.0
    ) -> None:
        try:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            if "Content-Length" not in headers:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if chunk_delay:
                for start in range(0, len(body), 1024):
                    self.wfile.write(body[start : start + 1024])
                    self.wfile.flush()
                    time.sleep(chunk_delay)
            else:
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256
    sim: SimServer


class SimServer:
    """Start with `with SimServer() as web:`; register pages with `web.route(path, handler)`."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.routes: dict[str, Handler] = {}
        self.requests: list[Request] = []
        self.lock = threading.Lock()
        self._server = _Server((host, port), _RequestHandler)
        self._server.sim = self
        self._thread: threading.Thread | None = None

    @property
    def base(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def route(self, path: str, handler: Handler | Response) -> None:
        fixed = handler

        def constant(_: Request) -> Response:
            return fixed  # type: ignore[return-value]

        with self.lock:
            self.routes[path] = constant if isinstance(handler, Response) else handler

    def hits(self, path: str) -> list[Request]:
        with self.lock:
            return [r for r in self.requests if r.path == path]

    def start(self) -> SimServer:
        self._thread = threading.Thread(
            target=self._server.serve_forever, daemon=True, kwargs={"poll_interval": 0.05}
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> SimServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
