"""What every command shares: exit codes, the one ``out`` that prints, progress on stderr."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from energysim.exceptions import EnergysimError

logger = logging.getLogger(__name__)

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_FAILED_TARGET",
    "EXIT_OK",
    "out",
    "output_path",
]

EXIT_OK, EXIT_FAILED_TARGET, EXIT_BAD_INPUT = 0, 1, 2


def out(text: str = "") -> None:
    """Print one block of text on stdout: the CLI is the one place that prints."""
    print(text)  # noqa: T201


def output_path(path: Path, suffixes: tuple[str, ...], what: str) -> Path:
    """``path`` if it ends in one of ``suffixes``; else an :class:`EnergysimError` naming them."""
    if Path(path).suffix.lower() not in suffixes:
        msg = (
            f"cannot write {what} to {str(path)!r}: the suffix must be one of {', '.join(suffixes)}"
        )
        raise EnergysimError(msg)
    return Path(path)


def stderr_is_terminal() -> bool:
    """Whether stderr is a terminal (progress bars) rather than a file or pipe (plain lines)."""
    return sys.stderr.isatty()
