"""One run of the alert rules: evaluate, fire what changed, deliver, record.

An alert fires when a (rule, subject)'s condition changes to something it was not
at the last event (so a KPI that stays at risk alerts once, and again only if it
goes off track), and is recorded as cleared when the condition stops holding.
The event is written before anything is sent, so a crash halfway never sends an
alert twice; each delivery is recorded with its outcome. A snoozed rule (or rule
and KPI) is not evaluated until the snooze ends.

Recipients receive only numbers within their scope, by the same
:class:`~onpace.views.scope.Scope` as the web app: a rep gets alerts on their own
row of a per-rep rule, and on a total only when they may see that total.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from onpace.alerts import channels as send
from onpace.alerts.conditions import Finding, evaluate
from onpace.alerts.history import record_delivery, record_event, snoozed, states
from onpace.alerts.messages import alert_message
from onpace.alerts.people import Recipient, directory, rule_recipients
from onpace.alerts.rules import AlertConfig, Rule, workspace_alerts
from onpace.views.scope import REP_DIMENSIONS

if TYPE_CHECKING:
    from onpace.workspace import Workspace


@dataclass(frozen=True)
class Sent:
    """One message of a run: what, to whom, through which channel, and how it went."""

    rule: str
    subject: str
    channel: str
    recipient: str
    address: str
    title: str
    ok: bool | None  # None: a dry run, nothing was sent
    attempts: int = 0
    error: str = ""

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


@dataclass
class AlertRun:
    as_of: datetime
    fired: int = 0
    cleared: int = 0
    unchanged: int = 0
    snoozed: int = 0
    sent: list[Sent] = field(default_factory=list)
    dry_run: bool = False

    @property
    def failed(self) -> list[Sent]:
        return [s for s in self.sent if s.ok is False]


class _Visibility:
    """Whether a recipient may receive a finding's numbers (the web app's scope rules)."""

    def __init__(self, ws: Workspace, as_of: datetime) -> None:
        self.ws, self.as_of = ws, as_of
        self.contributors: dict[tuple[str, object], Any] = {}

    def allows(self, person: Recipient, finding: Finding) -> bool:
        scope = person.scope(self.ws.config.privacy.min_group_size)
        if finding.row is None or not scope.restricted:
            return True
        if finding.member is not None:
            return scope.allows(finding.by, finding.member)
        if finding.by is not None and finding.by in REP_DIMENSIONS:
            return False
        return scope.total_visible(self._contributors(finding))

    def _contributors(self, finding: Finding) -> Any:
        from onpace.views.scope import rep_contributors

        assert finding.kpi is not None and finding.start is not None and finding.end is not None
        key = (finding.kpi, finding.start)
        if key not in self.contributors:
            grain: Any = finding.grain or "quarter"
            found = rep_contributors(
                self.ws,
                [finding.kpi],
                grain,
                finding.start,
                finding.end,
                None,
                self.as_of,
            )
            reps: set[str] = set()
            for members in found.values():
                reps |= members
            self.contributors[key] = reps if found else None
        return self.contributors[key]


def run_alerts(
    ws: Workspace,
    as_of: datetime | None = None,
    dry_run: bool = False,
    config: AlertConfig | None = None,
    sleep: Callable[[float], None] | None = None,
) -> AlertRun:
    """Evaluate every rule at ``as_of`` (default: now), send what fired, record it all."""
    moment = as_of or ws.now()
    config = config or workspace_alerts(ws)
    run = AlertRun(moment, dry_run=dry_run)
    store = ws.store
    last = states(store)
    quiet = snoozed(store, moment)
    people = directory(ws, config.settings)
    visible = _Visibility(ws, moment)
    rules = {r.name: r for r in config.rules}
    for finding in evaluate(ws, config, moment):
        if (finding.rule, None) in quiet or (finding.rule, finding.kpi) in quiet:
            run.snoozed += 1
            continue
        before = last.get((finding.rule, finding.subject))
        was = before.condition if before is not None and before.event == "fired" else None
        if finding.condition == was:
            run.unchanged += 1
            continue
        if finding.condition is None:
            run.cleared += 1
            if not dry_run:
                record_event(
                    store,
                    finding.rule,
                    finding.subject,
                    "cleared",
                    "",
                    "",
                    moment,
                    finding.kpi,
                    finding.member,
                    finding.period,
                )
            continue
        run.fired += 1
        event_id = None
        if not dry_run:
            event_id = record_event(
                store,
                finding.rule,
                finding.subject,
                "fired",
                finding.condition,
                finding.message,
                moment,
                finding.kpi,
                finding.member,
                finding.period,
            )
        rule = rules[finding.rule]
        audience = [
            p for p in rule_recipients(ws, rule, people, finding.kpi) if visible.allows(p, finding)
        ]
        run.sent += _deliver(ws, config, rule, finding, audience, event_id, sleep)
    return run


def _deliver(
    ws: Workspace,
    config: AlertConfig,
    rule: Rule,
    finding: Finding,
    audience: list[Recipient],
    event_id: int | None,
    sleep: Callable[[float], None] | None,
) -> list[Sent]:
    settings = config.settings
    currency = ws.config.currency
    out: list[Sent] = []
    kwargs: dict[str, Any] = {"sleep": sleep} if sleep is not None else {}

    def attempt(channel: str, who: str, address: str, title: str, fn: Callable[[], None]) -> None:
        if event_id is None:
            out.append(Sent(rule.name, finding.subject, channel, who, address, title, None))
            return
        done = send.with_retries(fn, settings.retry, **kwargs)
        record_delivery(
            ws.store, event_id, channel, who, address, done.ok, done.attempts, done.error
        )
        out.append(
            Sent(
                rule.name,
                finding.subject,
                channel,
                who,
                address,
                title,
                done.ok,
                done.attempts,
                done.error,
            )
        )

    for channel in rule.channels:
        if channel == "email" and settings.channels.email is not None:
            email = settings.channels.email
            for person in audience:
                if not person.email:
                    continue
                message = alert_message(finding, person.language, currency, rule.name)
                mail = send.email_message(email.sender, person.email, message)
                attempt(
                    "email",
                    person.name,
                    person.email,
                    message.subject,
                    partial(send.send_email, email, mail),
                )
            continue
        hook = getattr(settings.channels, channel)
        if hook is None:
            continue
        message = alert_message(finding, "en", currency, rule.name)
        payload = {
            "slack": send.slack_payload,
            "teams": send.teams_payload,
            "webhook": send.webhook_payload,
        }[channel](message)
        attempt(
            channel,
            channel,
            _redacted(hook.url),
            message.subject,
            partial(send.post_json, hook, payload, f"channels.{channel}", channel == "webhook"),
        )
    return out


def _redacted(url: str) -> str:
    """A webhook URL for the record: its host only (the path of a Slack URL is its secret)."""
    if url.startswith("${"):
        return url
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/..."
