"""Chat channels and webhooks of a 所属 or a project: Teams, Slack, LoGoチャット, signed JSON."""
