"""Where the command line writes its records, so that no run destroys a file it should keep.

An output that is one of the inputs is refused before anything is opened. Records go to
`OUTPUT.partial` beside the output, each flushed as soon as it is written, and the file is
renamed to OUTPUT only when the run ends: an interrupted run leaves its finished records in the
`.partial` file and any earlier OUTPUT as it was."""

from __future__ import annotations

import os
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


def where(output: str | os.PathLike[str] | None) -> str:
    """Where the records of an unfinished run are, in words."""
    return str(partial_path(output)) if output else STANDARD_OUTPUT


def check_output(output: str | os.PathLike[str] | None, inputs: Iterable[str]) -> None:
    """Refuse (UsageError) an output whose file, or `.partial` file, is one of the inputs: the
    same resolved path, or the same file under another name (a link)."""
    if not output:
        return
    for target in (Path(output), partial_path(output)):
        for name in inputs:
            if _same_file(target, Path(name)):
                raise UsageError(
                    f"--output {output} would overwrite the input {name}: choose another name."
                )


@contextmanager
def record_file(output: str | os.PathLike[str] | None) -> Iterator[IO[str]]:
    """Standard output, or OUTPUT.partial opened for writing; renamed to OUTPUT when the block
    ends without an error, kept as it is otherwise. An existing `.partial` file (the records of
    an earlier interrupted run) is never overwritten."""
    if not output:
        yield sys.stdout
        return
    partial = partial_path(output)
    try:
        out = open(partial, "x", newline="")  # noqa: SIM115 - closed below
    except FileExistsError as exc:
        raise UsageError(
            f"{partial} holds the records of an earlier, interrupted run: move it away or "
            "delete it, then run again."
        ) from exc
    except OSError as exc:
        raise UsageError(f"cannot write {partial}: {exc.strerror}") from exc
    with out:
        yield out
    try:
        os.replace(partial, output)
    except OSError as exc:
        raise UsageError(
            f"cannot write {output}: {exc.strerror}; the records are in {partial}"
        ) from exc


def _same_file(a: Path, b: Path) -> bool:
    if a.resolve() == b.resolve():
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet)
        return False
