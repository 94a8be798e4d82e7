"""Prompt templates (TOML), installed as the package ``judge.templates``; see judge/prompting.py."""
