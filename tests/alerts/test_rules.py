"""alerts.yml is validated like the KPI files: every wrong name with file, line and a fix."""

from __future__ import annotations

import pytest

from onpace.alerts.rules import load_alerts, parse_scope, workspace_alerts
from onpace.errors import SpecError
from onpace.workspace import Workspace

GOOD = """\
channels:
  email: {host: 127.0.0.1, port: 25, starttls: false, sender: onpace@example.com}
  webhook: {url: "http://127.0.0.1:9/hook", secret: "${HOOK_SECRET}"}
people:
  ann: {email: ann@example.com, language: nl, role: manager}
rules:
  - name: slipping
    when: status
    kpis: [orders]
    recipients: {users: [ann]}
    channels: [email, webhook]
"""

BAD = """\
channels:
  email: {host: 127.0.0.1, sender: onpace@example.com}
people:
  ann: {email: ann@example.com}
rules:
  - name: wrong_names
    when: pace
    below: 0.9
    kpis: [revenu]
    objectives: [profitable_grwth]
    scope: "rep: R99"
    recipients: {users: [bob], roles: [boss]}
    channels: [email, slack]
  - name: wrong_team
    when: freshness
    scope: "team: Nowhere"
  - name: wrong_scope
    when: status
    scope: somewhere
"""


def test_a_good_file_loads(demo_ws: Workspace) -> None:
    (demo_ws.root / "alerts.yml").write_text(GOOD)
    config = workspace_alerts(demo_ws)
    assert [r.name for r in config.rules] == ["slipping"]
    assert config.rules[0].channels == ["email", "webhook"]


def test_every_wrong_name_is_refused_with_its_line_and_a_fix(demo_ws: Workspace) -> None:
    (demo_ws.root / "alerts.yml").write_text(BAD)
    with pytest.raises(SpecError) as caught:
        workspace_alerts(demo_ws)
    found = {(i.field, i.line): i for i in caught.value.issues}
    lines = {field: line for field, line in found}
    assert lines["rules.0.kpis.0"] == 9
    assert "Did you mean 'revenue'" in found[("rules.0.kpis.0", 9)].message
    assert lines["rules.0.objectives.0"] == 10
    assert "profitable_growth" in found[("rules.0.objectives.0", 10)].message
    assert lines["rules.0.scope"] == 11
    assert "unknown rep 'R99'" in found[("rules.0.scope", 11)].message
    assert lines["rules.0.recipients.users.0"] == 12
    assert "onpace user add" in found[("rules.0.recipients.users.0", 12)].fix
    assert "unknown role 'boss'" in found[("rules.0.recipients.roles.0", 12)].message
    assert "channel 'slack' is not configured" in found[("rules.0.channels.1", 13)].message
    assert "unknown team 'Nowhere'" in found[("rules.1.scope", 16)].message
    assert "needs an age" in found[("rules.1.when", 15)].message
    assert "unknown scope 'somewhere'" in found[("rules.2.scope", 19)].message
    assert all(i.file == demo_ws.root / "alerts.yml" for i in caught.value.issues)
    assert all(i.owner is not None and i.owner.kind == "alert" for i in caught.value.issues)


def test_a_wrong_shape_points_at_its_line(demo_ws: Workspace) -> None:
    text = GOOD.replace("    when: status\n", "    when: sometimes\n    colour: red\n")
    config = load_alerts(demo_ws, text)
    fields = {i.field: i.line for i in config.issues}
    assert fields["rules.0.when"] == 8
    assert fields["rules.0.colour"] == 9


def test_scopes() -> None:
    assert parse_scope("everything") is not None and parse_scope("everything").by is None  # type: ignore[union-attr]
    rep = parse_scope("rep:  R03")
    assert rep is not None and (rep.by, rep.member) == ("rep", "R03")
    team = parse_scope("team: Key Accounts")
    assert team is not None and (team.by, team.member) == ("rep.team", "Key Accounts")
    each = parse_scope("each rep")
    assert each is not None and (each.by, each.member) == ("rep", None)
    assert parse_scope("region") is None
