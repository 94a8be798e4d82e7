"""Renderings of a report (the JSON data of :func:`judge.report.build_report`): one module per format."""
