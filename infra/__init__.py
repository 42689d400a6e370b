"""AWS CDK app deploying Kumo (see infra/app.py)."""
