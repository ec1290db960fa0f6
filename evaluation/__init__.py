"""Metrics (interval P/R/F1, SoccerNet average-mAP), the benchmark runner, reports and plots."""
