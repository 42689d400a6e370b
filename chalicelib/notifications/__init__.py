"""Notifications: domain events become in-app notices (later also e-mail and webhooks)."""
