"""The one family of errors a person must act on: each message says what was wrong and what to do.

The command line catches `LLMSSDError` once and prints its message; the app shows it in a toast.
A bug (any other exception) is not one of these.

May import: nothing of LLM-SSD's."""

from __future__ import annotations


class LLMSSDError(Exception):
    """Something the person must fix: bad audio, missing weights, bad data or a bad argument."""


class UsageError(LLMSSDError):
    """A command-line argument or setting that cannot be used (a missing CUDA device, say)."""
