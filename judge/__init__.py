"""judge: sandboxed, fast and faithful evaluation of code-generation models on APPS and HumanEval."""

__version__ = "0.1.0"
