"""Build settings that pyproject.toml cannot express: the zygote's C fast path.

The extension is optional: where it cannot be compiled the zygote runs the same steps in
Python (slower per test, same verdicts).
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension("judge.sandbox._spawn", ["judge/sandbox/_spawn.c"], optional=True)])
