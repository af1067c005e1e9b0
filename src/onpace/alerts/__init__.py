"""Alerts: rules in alerts.yml, their conditions, their state and their delivery.

``onpace alerts run`` (and the scheduler inside ``onpace serve``) evaluates every
rule against the scorecard, fires an alert once per change of its condition,
sends it by email, Slack, Teams or a signed webhook, and records every delivery in
the state store.
"""
