"""Lets ``pytest tool_manifests/`` collect the catalogue directly."""

pytest_plugins = ["harness.pytest_plugin"]
