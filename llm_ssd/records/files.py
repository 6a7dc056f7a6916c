"""Where the command line writes its records, so that no run destroys a file it should keep.

An output that is one of the inputs (or the database being exported) is refused before anything
is opened. Records go to `OUTPUT.partial` beside the output, each flushed as soon as it is
written, and the file is renamed to OUTPUT only when the run ends: an interrupted run leaves its
finished records in the `.partial` file and any earlier OUTPUT as it was. An output that exists
and is not a regular file (`/dev/null`, a FIFO, a terminal) is written to directly: renaming a
file over it would replace the device node itself."""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from llm_ssd.errors import UsageError

PARTIAL_SUFFIX = ".partial"
STANDARD_OUTPUT = "standard output"


def partial_path(output: str | os.PathLike[str]) -> Path:
    """The file the records go to until the run ends: OUTPUT.partial beside OUTPUT."""
    path = Path(output)
    return path.with_name(path.name + PARTIAL_SUFFIX)


def is_special(output: str | os.PathLike[str]) -> bool:
    """Whether `output` exists and is no regular file (a device, a FIFO, a socket), so that it
    is written to directly and never renamed over."""
    try:
        return not stat.S_ISREG(os.stat(output).st_mode)
    except OSError:  # not there (yet), or not reachable: the open says why
        return False


def where(output: str | os.PathLike[str] | None) -> str:
    """Where the records of an unfinished run are, in words."""
    if not output:
        return STANDARD_OUTPUT
    return str(output) if is_special(output) else str(partial_path(output))


def check_output(
    output: str | os.PathLike[str] | None, inputs: Iterable[str], what: str = "the input"
) -> None:
    """Refuse (UsageError) an output whose file, or `.partial` file, is one of the inputs: the
    same resolved path, or the same file under another name (a link). `what` names the inputs
    in the message ("the ratings database")."""
    if not output:
        return
    for target in (Path(output), partial_path(output)):
        for name in inputs:
            if _same_file(target, Path(name)):
                raise UsageError(
                    f"--output {output} would overwrite {what} {name}: choose another name."
                )


@contextmanager
def record_file(output: str | os.PathLike[str] | None) -> Iterator[IO[str]]:
    """Standard output, or OUTPUT.partial opened for writing; renamed to OUTPUT when the block
    ends without an error, kept as it is otherwise. An existing `.partial` file (the records of
    an earlier interrupted run) is never overwritten."""
    if not output:
        yield sys.stdout
        return
    if is_special(output):
        with _opened(output, "w") as out:
            yield out
        return
    partial = partial_path(output)
    if partial.exists():
        raise UsageError(
            f"{partial} holds the records of an earlier, interrupted run: move it away or "
            "delete it, then run again."
        )
    with _opened(partial, "x") as out:
        yield out
    try:
        os.replace(partial, output)
    except OSError as exc:
        raise UsageError(
            f"cannot write {output}: {exc.strerror}; the records are in {partial}"
        ) from exc


def write_output(output: str | os.PathLike[str] | None, text: str) -> None:
    """Write `text` to `output` (standard output if None) by the rules of `record_file`."""
    with record_file(output) as out:
        out.write(text)


@contextmanager
def _opened(output: str | os.PathLike[str], mode: str) -> Iterator[IO[str]]:
    try:
        out = open(output, mode, newline="", encoding="utf-8")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror}") from exc
    with out:
        yield out


def _same_file(a: Path, b: Path) -> bool:
    if a.resolve() == b.resolve():
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet)
        return False
