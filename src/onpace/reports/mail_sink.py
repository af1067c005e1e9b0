"""A local SMTP server that writes every message it receives to a folder as an .eml file.

For the demo and for trying alerts and digests without a mail server: point the
email channel of alerts.yml at it (``starttls: false``) and open the files with any
mail program. It listens on 127.0.0.1 only.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


class _WriteToFolder:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = itertools.count(1)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        to = str(envelope.rcpt_tos[0]).split("@")[0] if envelope.rcpt_tos else "unknown"
        safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in to)
        path = self.folder / f"{stamp}-{next(self.count):04d}-{safe}.eml"
        path.write_bytes(envelope.original_content or envelope.content)
        return "250 OK"


class MailSink:
    """``with MailSink(folder) as sink:`` serves SMTP on ``sink.port`` until the block ends."""

    def __init__(self, folder: Path, port: int = 0) -> None:
        from aiosmtpd.controller import Controller

        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        if port == 0:
            import socket

            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                port = int(probe.getsockname()[1])
        self.port = port
        self._controller = Controller(_WriteToFolder(folder), hostname="127.0.0.1", port=port)

    def __enter__(self) -> MailSink:
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()
