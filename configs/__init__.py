"""Run presets for ``judge run`` (TOML), installed as the package ``judge.presets``."""
