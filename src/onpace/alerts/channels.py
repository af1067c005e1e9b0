"""Sending: email over SMTP, Slack and Teams incoming webhooks, a signed generic webhook.

Every send is retried with exponential backoff (``retry:`` in alerts.yml) and ends
in a :class:`Delivered` that says whether it worked, after how many attempts and
with which error; nothing here raises for a server that is down or refuses, so a
failing channel never stops a run or the web server (it is recorded and reported
on the data-health page instead).

Secrets (SMTP credentials, webhook URLs and signing secrets) may be written
``${VAR}`` in alerts.yml and are read from the environment when sending.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from onpace.alerts.rules import EmailChannel, Retry, WebhookChannel
from onpace.errors import DeliveryError, OnpaceError
from onpace.spec.envvars import expand_env

SIGNATURE_HEADER = "X-Onpace-Signature"
TIMESTAMP_HEADER = "X-Onpace-Timestamp"


@dataclass(frozen=True)
class Message:
    """What is sent: a subject, a plain-text and an HTML body, and inline PNG images by cid."""

    subject: str
    text: str
    html: str | None = None
    images: tuple[tuple[str, bytes], ...] = ()
    data: dict[str, Any] | None = None  # the machine-readable alert, for the generic webhook


@dataclass(frozen=True)
class Delivered:
    ok: bool
    attempts: int
    error: str = ""


def with_retries(
    send: Callable[[], None], retry: Retry, sleep: Callable[[float], None] = time.sleep
) -> Delivered:
    """Call ``send`` until it works or ``retry.attempts`` are used, waiting 1, 2, 4... x backoff."""
    error = ""
    for attempt in range(1, retry.attempts + 1):
        try:
            send()
            return Delivered(True, attempt)
        except (OSError, smtplib.SMTPException, DeliveryError, OnpaceError) as exc:
            error = f"{type(exc).__name__}: {exc}"
            if attempt < retry.attempts:
                sleep(retry.backoff_seconds * 2 ** (attempt - 1))
    return Delivered(False, retry.attempts, error)


def email_message(sender: str, to: str, message: Message) -> EmailMessage:
    """A MIME message: text/plain and text/html alternatives, images inline (cid:...)."""
    mail = EmailMessage()
    mail["Subject"] = message.subject
    mail["From"] = sender
    mail["To"] = to
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "onpace.local")
    mail.set_content(message.text)
    if message.html is not None:
        mail.add_alternative(message.html, subtype="html")
        html_part: EmailMessage = mail.get_payload()[-1]  # type: ignore[index,assignment]
        for cid, png in message.images:
            html_part.add_related(png, maintype="image", subtype="png", cid=f"<{cid}>")
    return mail


def send_email(channel: EmailChannel, mail: EmailMessage) -> None:
    """Send ``mail`` through the SMTP server of ``channel`` (STARTTLS unless turned off)."""
    context = ssl.create_default_context(cafile=channel.ca_file) if channel.ca_file else None
    context = context or ssl.create_default_context()
    smtp_class = smtplib.SMTP_SSL if channel.ssl else smtplib.SMTP
    kwargs: dict[str, Any] = {"timeout": channel.timeout}
    if channel.ssl:
        kwargs["context"] = context
    with smtp_class(channel.host, channel.port, **kwargs) as smtp:
        smtp.ehlo()
        if channel.starttls and not channel.ssl:
            smtp.starttls(context=context)
            smtp.ehlo()
        if channel.username:
            user = expand_env(channel.username, "channels.email.username", DeliveryError)
            password = expand_env(channel.password or "", "channels.email.password", DeliveryError)
            smtp.login(user, password)
        smtp.send_message(mail)


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 of ``<timestamp>.<body>`` with the shared secret.

    A receiver recomputes it from the raw body and the timestamp header, compares in
    constant time, and rejects old timestamps to stop replays.
    """
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def post_json(
    channel: WebhookChannel, payload: dict[str, Any], setting: str, sign: bool = False
) -> None:
    """POST ``payload`` as JSON; a non-2xx answer is a :class:`DeliveryError`."""
    url = expand_env(channel.url, f"{setting}.url", DeliveryError)
    body = json.dumps(payload, ensure_ascii=False, default=str).encode()
    headers = {"Content-Type": "application/json", "User-Agent": "onpace"}
    if sign and channel.secret:
        secret = expand_env(channel.secret, f"{setting}.secret", DeliveryError)
        stamp = str(int(time.time()))
        headers[TIMESTAMP_HEADER] = stamp
        headers[SIGNATURE_HEADER] = signature(secret, stamp, body)
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=channel.timeout) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"{url} answered HTTP {exc.code}") from exc
    if not 200 <= status < 300:
        raise DeliveryError(f"{url} answered HTTP {status}")


def slack_payload(message: Message) -> dict[str, Any]:
    return {"text": f"*{message.subject}*\n{message.text}"}


def teams_payload(message: Message) -> dict[str, Any]:
    """A MessageCard, the format Teams incoming webhooks accept."""
    return {
        "@type": "MessageCard",
        "@context": "https://schema.org/extensions",
        "summary": message.subject,
        "title": message.subject,
        "text": message.text.replace("\n", "  \n"),
    }


def webhook_payload(message: Message) -> dict[str, Any]:
    return {"subject": message.subject, "text": message.text, **(message.data or {})}
