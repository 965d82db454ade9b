"""Errors that end a command with one clear line instead of a traceback."""

from __future__ import annotations


class UserError(Exception):
    """Something the user can fix: bad input, a missing file, a wrong option. The message names what and
    where (file and byte offset, message id, line number) in one line."""

    exit_code = 2
