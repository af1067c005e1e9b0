"""Real local receivers for delivery tests: an SMTP server (aiosmtpd) and an HTTP server.

Both run in a thread of the test process on a free port and keep what they
received, so tests check the message content that actually went over the wire.
"""

from __future__ import annotations

import json
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Mailbox:
    host: str
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]


class _Handler:
    def __init__(self, box: Mailbox) -> None:
        self.box = box

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        mail = message_from_bytes(envelope.original_content, policy=policy.default)
        self.box.messages.append(mail)  # type: ignore[arg-type]
        return "250 OK"


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate and key for localhost, made with the openssl command line."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


@contextmanager
def smtp_server(
    tls: tuple[Path, Path] | None = None, credentials: tuple[str, str] | None = None
) -> Iterator[Mailbox]:
    """An SMTP server on 127.0.0.1; with ``tls`` it offers STARTTLS (and requires it)."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    box = Mailbox("127.0.0.1", free_port())
    kwargs: dict[str, Any] = {}
    if tls is not None:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(str(tls[0]), str(tls[1]))
        kwargs.update(tls_context=context, require_starttls=True)
    if credentials is not None:

        def authenticate(
            server: Any, session: Any, envelope: Any, mechanism: str, data: Any
        ) -> Any:
            ok = (
                isinstance(data, LoginPassword)
                and (data.login.decode(), data.password.decode()) == credentials
            )
            if ok:
                box.logins.append(credentials)
            return AuthResult(success=ok)

        kwargs.update(authenticator=authenticate, auth_required=True)
    controller = Controller(_Handler(box), hostname=box.host, port=box.port, **kwargs)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


@dataclass
class Receiver:
    url: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    status: int = 200

    def json(self) -> list[Any]:
        return [json.loads(r["body"]) for r in self.requests]


@contextmanager
def http_receiver(status: int = 200) -> Iterator[Receiver]:
    """An HTTP server that records every POST (path, headers, raw body) and answers ``status``."""
    port = free_port()
    box = Receiver(f"http://127.0.0.1:{port}/hook", status=status)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            box.requests.append(
                {"path": self.path, "headers": dict(self.headers.items()), "body": body}
            )
            self.send_response(box.status)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield box
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
