"""Rendering a results file into the reports people read: Markdown, HTML, JSON."""

from harness.report.render import render_reports

__all__ = ["render_reports"]
