"""Delivery against real local receivers: SMTP with STARTTLS and login, signed webhooks."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path

import pytest

from onpace.alerts.channels import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    Message,
    email_message,
    post_json,
    send_email,
    slack_payload,
    teams_payload,
    webhook_payload,
    with_retries,
)
from onpace.alerts.rules import EmailChannel, Retry, WebhookChannel
from tests.support.receivers import free_port, http_receiver, self_signed, smtp_server

MESSAGE = Message(
    "[onpace] Orders is at risk",
    "Orders is at risk in 2025-Q4\nPace: 93.3%",
    "<html><body><p>Orders is at risk</p><img src='cid:chart1'></body></html>",
    images=(("chart1", b"\x89PNG\r\n\x1a\nfake"),),
    data={"kpi": "orders", "condition": "at risk"},
)


def test_email_over_starttls_with_credentials_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cert, key = self_signed(tmp_path)
    monkeypatch.setenv("TEST_SMTP_USER", "mailer")
    monkeypatch.setenv("TEST_SMTP_PASSWORD", "s3cret")
    with smtp_server(tls=(cert, key), credentials=("mailer", "s3cret")) as box:
        channel = EmailChannel(
            host="localhost",
            port=box.port,
            sender="onpace@example.com",
            username="${TEST_SMTP_USER}",
            password="${TEST_SMTP_PASSWORD}",
            ca_file=str(cert),
        )
        send_email(channel, email_message(channel.sender, "ann@example.com", MESSAGE))
    assert box.logins == [("mailer", "s3cret")]
    [mail] = box.to("ann@example.com")
    assert mail["Subject"] == "[onpace] Orders is at risk"
    assert mail["From"] == "onpace@example.com"
    text = mail.get_body(("plain",))
    html = mail.get_body(("html",))
    assert text is not None and "Pace: 93.3%" in text.get_content()
    assert html is not None and "cid:chart1" in html.get_content()
    images = [p for p in mail.walk() if p.get_content_type() == "image/png"]
    assert [p["Content-ID"] for p in images] == ["<chart1>"]
    assert images[0].get_content() == b"\x89PNG\r\n\x1a\nfake"


def test_a_server_that_requires_starttls_refuses_plain_text(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    with smtp_server(tls=(cert, key)) as box:
        plain = EmailChannel(host="localhost", port=box.port, sender="o@x.org", starttls=False)
        done = with_retries(
            lambda: send_email(plain, email_message("o@x.org", "a@x.org", MESSAGE)),
            Retry(attempts=2, backoff_seconds=0),
        )
    assert not done.ok and done.attempts == 2
    assert "STARTTLS" in done.error or "530" in done.error
    assert box.messages == []


def test_an_unreachable_server_is_retried_with_backoff_then_reported() -> None:
    waits: list[float] = []
    channel = EmailChannel(host="127.0.0.1", port=free_port(), sender="o@x.org", timeout=2)
    done = with_retries(
        lambda: send_email(channel, email_message("o@x.org", "a@x.org", MESSAGE)),
        Retry(attempts=3, backoff_seconds=1.5),
        sleep=waits.append,
    )
    assert (done.ok, done.attempts) == (False, 3)
    assert waits == [1.5, 3.0]
    assert "Connection refused" in done.error or "ConnectionRefused" in done.error


def test_the_generic_webhook_is_signed_with_hmac(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_HOOK_SECRET", "shared-secret")
    with http_receiver() as hook:
        channel = WebhookChannel(url=hook.url, secret="${TEST_HOOK_SECRET}")
        post_json(channel, webhook_payload(MESSAGE), "channels.webhook", sign=True)
    [request] = hook.requests
    stamp = request["headers"][TIMESTAMP_HEADER]
    expected = hmac.new(
        b"shared-secret", stamp.encode() + b"." + request["body"], hashlib.sha256
    ).hexdigest()
    assert request["headers"][SIGNATURE_HEADER] == f"sha256={expected}"
    body = json.loads(request["body"])
    assert body["kpi"] == "orders" and body["subject"] == "[onpace] Orders is at risk"


def test_slack_and_teams_payloads_reach_their_webhooks() -> None:
    with http_receiver() as hook:
        channel = WebhookChannel(url=hook.url)
        post_json(channel, slack_payload(MESSAGE), "channels.slack")
        post_json(channel, teams_payload(MESSAGE), "channels.teams")
    slack, teams = hook.json()
    assert slack["text"].startswith("*[onpace] Orders is at risk*\nOrders is at risk in 2025-Q4")
    assert teams["@type"] == "MessageCard" and teams["title"] == "[onpace] Orders is at risk"
    assert "Pace: 93.3%" in teams["text"]


def test_a_webhook_answering_500_is_retried_then_reported() -> None:
    with http_receiver(status=500) as hook:
        done = with_retries(
            lambda: post_json(WebhookChannel(url=hook.url), slack_payload(MESSAGE), "slack"),
            Retry(attempts=3, backoff_seconds=0),
        )
    assert (done.ok, done.attempts) == (False, 3)
    assert len(hook.requests) == 3
    assert "HTTP 500" in done.error
