"""The one base of every error a user can fix: the command line prints its message as one line
(naming the file, line or option, and what to do) and exits with status 2, never a traceback."""

from __future__ import annotations


class JudgeError(Exception):
    """A bad setting, file or run directory; the message says which and what to do."""
