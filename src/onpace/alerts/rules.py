"""alerts.yml: the alert rules, the channels they send through and the people they reach.

Validated like the KPI files: a pydantic model for the shape, then the names are
checked against the workspace (KPIs, objectives, reps, teams, users and roles),
and every problem is reported with file, line and a fix, all at once.

::

    channels:
      email: {host: smtp.example.com, port: 587, sender: onpace@example.com,
              username: "${SMTP_USER}", password: "${SMTP_PASSWORD}"}
      slack: {url: "${SLACK_WEBHOOK_URL}"}
      webhook: {url: https://example.com/hook, secret: "${ONPACE_WEBHOOK_SECRET}"}
    people:
      ann: {email: ann@example.com, language: nl}
    rules:
      - name: slipping
        when: status          # status, pace, attainment, probability, missed, freshness, quarantine
        kpis: [revenue]       # or objectives: [...]; neither: every KPI with a target
        scope: everything     # or "rep: r01", "team: North", "each rep"
        recipients: {users: [ann], roles: [manager], owner: true}
        channels: [email, slack]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from onpace.errors import IssueOwner, SpecError, SpecIssue, did_you_mean
from onpace.spec.validation_issues import validation_issues
from onpace.spec.yaml_lines import LocatedDocument, YamlSyntaxError, load_located

if TYPE_CHECKING:
    from onpace.workspace import Workspace

ALERTS_FILE = "alerts.yml"
Kind = Literal["status", "pace", "attainment", "probability", "missed", "freshness", "quarantine"]
ChannelName = Literal["email", "slack", "teams", "webhook"]
THRESHOLD_KINDS = ("pace", "attainment", "probability")
SCORECARD_KINDS = ("status", "pace", "attainment", "probability", "missed")
_AGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([mhdw])\s*$")
_AGE_SECONDS = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
FIX = "see docs/alerts.md for the alerts.yml format"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EmailChannel(_Strict):
    """An SMTP server. ``username``/``password`` take ``${VAR}`` from the environment."""

    host: str
    port: int = 587
    starttls: bool = True
    ssl: bool = False
    username: str | None = None
    password: str | None = None
    sender: str
    ca_file: str | None = None
    timeout: float = Field(10.0, gt=0)


class WebhookChannel(_Strict):
    """An incoming webhook URL (Slack, Teams) or a generic one signed with ``secret``."""

    url: str
    secret: str | None = None
    timeout: float = Field(10.0, gt=0)

    @field_validator("url")
    @classmethod
    def _http(cls, value: str) -> str:
        if not value.startswith(("http://", "https://", "${")):
            raise ValueError(f"'{value}' is not an http(s) URL")
        return value


class Channels(_Strict):
    email: EmailChannel | None = None
    slack: WebhookChannel | None = None
    teams: WebhookChannel | None = None
    webhook: WebhookChannel | None = None


class Person(_Strict):
    """Where a person is reached and in which language; ``role``/``rep`` for people
    who have no login (a user's role and rep id come from the users of the web app)."""

    email: str | None = None
    language: Literal["en", "nl"] = "en"
    role: Literal["admin", "manager", "rep", "viewer"] | None = None
    rep: str | None = None


class Recipients(_Strict):
    users: list[str] = []
    roles: list[str] = []
    owner: bool = False


class Rule(_Strict):
    """One alert rule: when it fires, about which KPIs, in which scope, to whom, how."""

    name: str
    when: Kind
    kpis: list[str] = []
    objectives: list[str] = []
    at_least: Literal["at risk", "off track"] = "at risk"
    below: float | None = None
    older_than: str | None = None
    rows: int | None = Field(None, ge=0)
    share: float | None = Field(None, ge=0, le=1)
    grain: Literal["month", "quarter", "year"] = "quarter"
    scope: str = "everything"
    recipients: Recipients = Recipients()
    channels: list[ChannelName] = ["email"]

    @field_validator("name")
    @classmethod
    def _snake(cls, value: str) -> str:
        if not _NAME.match(value):
            raise ValueError(f"rule name '{value}' must be snake_case (letters, digits, _)")
        return value

    @field_validator("older_than")
    @classmethod
    def _age(cls, value: str | None) -> str | None:
        if value is not None and not _AGE.match(value):
            raise ValueError(f"'{value}' is not an age: write e.g. 90m, 36h, 2d or 1w")
        return value

    @property
    def max_age_seconds(self) -> float:
        m = _AGE.match(self.older_than or "")
        return float(m.group(1)) * _AGE_SECONDS[m.group(2)] if m else 0.0


class Retry(_Strict):
    attempts: int = Field(3, ge=1, le=10)
    backoff_seconds: float = Field(2.0, ge=0)


class DigestSettings(_Strict):
    """When digests go out: ``every`` day, week or month, on ``weekday``/``day`` at ``hour``."""

    every: Literal["day", "week", "month"] = "week"
    weekday: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = "mon"
    day: int = Field(1, ge=1, le=28)
    hour: int = Field(7, ge=0, le=23)
    grain: Literal["month", "quarter", "year"] = "quarter"


class AlertsFile(_Strict):
    channels: Channels = Channels()
    people: dict[str, Person] = {}
    rules: list[Rule] = []
    retry: Retry = Retry()
    digest: DigestSettings = DigestSettings()
    check_every_minutes: int = Field(60, ge=1)


@dataclass(frozen=True)
class Scope:
    """A rule's scope: the breakdown it looks at and the members of it it keeps."""

    by: str | None
    member: str | None
    text: str


@dataclass(frozen=True)
class AlertConfig:
    """alerts.yml as loaded and checked (empty when the file does not exist)."""

    file: Path | None
    settings: AlertsFile = field(default_factory=AlertsFile)
    issues: list[SpecIssue] = field(default_factory=list)

    @property
    def rules(self) -> list[Rule]:
        return self.settings.rules

    def rule(self, name: str) -> Rule:
        for rule in self.rules:
            if rule.name == name:
                return rule
        names = [r.name for r in self.rules]
        from onpace.errors import UnknownNameError

        raise UnknownNameError(f"no alert rule '{name}'." + did_you_mean(name, names))


def parse_scope(text: str) -> Scope | None:
    """``everything``, ``each rep``, ``rep: <id>`` or ``team: <name>``; None when neither."""
    clean = " ".join(text.split())
    if clean in ("everything", "all", ""):
        return Scope(None, None, "everything")
    if clean == "each rep":
        return Scope("rep", None, clean)
    head, _, rest = clean.partition(":")
    if head.strip() == "rep" and rest.strip():
        return Scope("rep", rest.strip(), clean)
    if head.strip() == "team" and rest.strip():
        return Scope("rep.team", rest.strip(), clean)
    return None


def _owner(data: Any) -> Any:
    def owner(loc: tuple[str | int, ...]) -> IssueOwner | None:
        if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
            try:
                return IssueOwner("alert", str(data["rules"][loc[1]]["name"]))
            except (KeyError, IndexError, TypeError):
                return None
        return None

    return owner


def load_alerts(ws: Workspace, text: str | None = None) -> AlertConfig:
    """alerts.yml of ``ws`` (or ``text`` standing for it), checked against the workspace."""
    file = ws.root / ALERTS_FILE
    if text is None and not file.exists():
        return AlertConfig(file=None)
    try:
        doc = load_located(file, text)
    except YamlSyntaxError as exc:
        return AlertConfig(file, issues=[SpecIssue("error", file, exc.line, "(yaml)", exc.message)])
    try:
        settings = AlertsFile.model_validate(doc.data or {})
    except ValidationError as exc:
        return AlertConfig(
            file, issues=validation_issues(exc, doc, file, fix=FIX, owner=_owner(doc.data))
        )
    issues = _NameCheck(ws, doc, file, settings).issues()
    return AlertConfig(file, settings, issues)


def workspace_alerts(ws: Workspace) -> AlertConfig:
    """alerts.yml of ``ws``; raises :class:`SpecError` listing every problem when it is wrong."""
    config = load_alerts(ws)
    if any(i.level == "error" for i in config.issues):
        raise SpecError(config.issues)
    return config


class _NameCheck:
    """The names a valid alerts.yml may use, and the issues of those it uses wrongly."""

    def __init__(self, ws: Workspace, doc: LocatedDocument, file: Path, settings: AlertsFile):
        self.ws, self.doc, self.file, self.settings = ws, doc, file, settings
        self.found: list[SpecIssue] = []

    def add(self, path: tuple[str | int, ...], message: str, fix: str, rule: str | None) -> None:
        owner = IssueOwner("alert", rule) if rule else None
        field_name = ".".join(map(str, path))
        line = self.doc.line_of(path)
        self.found.append(SpecIssue("error", self.file, line, field_name, message, fix, owner))

    def issues(self) -> list[SpecIssue]:
        from onpace.auth import ROLES

        users = set(_user_names(self.ws)) | set(self.settings.people)
        seen: set[str] = set()
        for i, rule in enumerate(self.settings.rules):
            at: tuple[str | int, ...] = ("rules", i)
            if rule.name in seen:
                self.add(
                    (*at, "name"), f"rule name '{rule.name}' is used twice", "rename one", None
                )
            seen.add(rule.name)
            self._names(rule, at)
            self._scope(rule, at)
            self._parameters(rule, at)
            for j, user in enumerate(rule.recipients.users):
                if user not in users:
                    self.add(
                        (*at, "recipients", "users", j),
                        f"unknown recipient '{user}'." + did_you_mean(user, users),
                        "add the user (onpace user add) or list them under people:",
                        rule.name,
                    )
            for j, role in enumerate(rule.recipients.roles):
                if role not in ROLES:
                    self.add(
                        (*at, "recipients", "roles", j),
                        f"unknown role '{role}'." + did_you_mean(role, ROLES),
                        "use one of " + ", ".join(ROLES),
                        rule.name,
                    )
            for j, channel in enumerate(rule.channels):
                if getattr(self.settings.channels, channel) is None:
                    self.add(
                        (*at, "channels", j),
                        f"channel '{channel}' is not configured",
                        f"add channels: {channel}: ... at the top of alerts.yml",
                        rule.name,
                    )
        return self.found

    def _names(self, rule: Rule, at: tuple[str | int, ...]) -> None:
        for j, kpi in enumerate(rule.kpis):
            if kpi not in self.ws.kpis:
                self.add(
                    (*at, "kpis", j),
                    f"unknown KPI '{kpi}'." + did_you_mean(kpi, self.ws.kpis),
                    "use a KPI name from 'onpace kpi list'",
                    rule.name,
                )
        if not rule.objectives:
            return
        names = _objective_names(self.ws)
        for j, objective in enumerate(rule.objectives):
            if objective not in names:
                self.add(
                    (*at, "objectives", j),
                    f"unknown objective '{objective}'." + did_you_mean(objective, names),
                    "use an objective name from objectives.yml",
                    rule.name,
                )

    def _scope(self, rule: Rule, at: tuple[str | int, ...]) -> None:
        scope = parse_scope(rule.scope)
        where = (*at, "scope")
        if scope is None:
            self.add(
                where,
                f"unknown scope '{rule.scope}'",
                "write everything, each rep, 'rep: <rep id>' or 'team: <team>'",
                rule.name,
            )
            return
        if scope.member is None:
            return
        from onpace.targets.roster import load_roster

        roster = load_roster(self.ws)
        if scope.by == "rep":
            options = list(roster.reps)
            known = scope.member in roster.reps
        else:
            options = sorted({r.team for r in roster.reps.values() if r.team})
            known = scope.member in options
        if not known:
            what = "rep" if scope.by == "rep" else "team"
            self.add(
                where,
                f"unknown {what} '{scope.member}'." + did_you_mean(scope.member, options),
                f"use a {what} of the salespeople table",
                rule.name,
            )

    def _parameters(self, rule: Rule, at: tuple[str | int, ...]) -> None:
        if rule.when in THRESHOLD_KINDS and rule.below is None:
            self.add(
                (*at, "when"),
                f"a '{rule.when}' rule needs a level",
                "add below: 0.9 (90%)",
                rule.name,
            )
        if rule.when == "freshness" and rule.older_than is None:
            self.add(
                (*at, "when"), "a freshness rule needs an age", "add older_than: 2d", rule.name
            )
        if rule.when == "quarantine" and rule.rows is None and rule.share is None:
            self.add(
                (*at, "when"),
                "a quarantine rule needs a number of rows or a share",
                "add rows: 100 or share: 0.05",
                rule.name,
            )


def _user_names(ws: Workspace) -> list[str]:
    from onpace.auth import Auth

    return [u["name"] for u in Auth(ws.store.engine).users() if u["active"]]


def _objective_names(ws: Workspace) -> list[str]:
    from onpace.objectives.tree import load_objectives

    objectives = load_objectives(ws.root, ws.config.objectives_file, ws.kpis)
    return sorted(objectives.names())
