"""toolcensus analysis: datasets → tables, charts, a self-contained report."""

from __future__ import annotations

from analysis.api import analyze, funnel_table
from analysis.bucket import download_outputs, list_outputs

__all__ = ["analyze", "download_outputs", "funnel_table", "list_outputs"]
