"""Synthesis tests of infra/ (the AWS CDK stack) and layers/ (the shared layer)."""
