"""`describe --engine ray`: the same batch on Ray Data (`pip install llm-ssd[ray]`), on a local
Ray instance or a cluster (`--address`). Files are read and decoded by Ray tasks; the network
runs in a pool of `--workers` actors, each loading the weights once and taking its share of the
cores by the thread policy (`model.threads`); the records come back to this process, which
writes them as the local engine's are written. The same file gives the same record, bit for
bit: an actor analyses the blocks the task decoded, as `analyze()` would have streamed them."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import numpy as np

DECODE_CPUS = 0.25
"""Ray's CPU share of a decoding task: the actors hold the rest, and decoding is mostly I/O."""
MISSING = "Ray is not installed: pip install llm-ssd[ray] (or pip install 'ray[data]')."


def ray_records(
    files: list[str], options: Any, workers: int, address: str | None, describe_one: Any
) -> Iterator[dict[str, Any]]:
    """Each file's record (`describe_one(path, options, decoded)`, in an actor), in the order
    they finish."""
    try:
        import ray
        import ray.data
    except ImportError as exc:
        from llm_ssd.errors import UsageError

        raise UsageError(MISSING) from exc
    started = not ray.is_initialized()
    if started:
        ray.init(
            address=address,
            num_cpus=None if address else workers,
            include_dashboard=False,
            log_to_driver=False,
            logging_level=logging.WARNING,
        )
    try:
        yield from _run(ray, files, options, workers, describe_one)
    finally:
        if started:
            ray.shutdown()


def _run(
    ray: Any, files: list[str], options: Any, workers: int, describe_one: Any
) -> Iterator[dict[str, Any]]:
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False
    logging.getLogger("ray.data").setLevel(logging.WARNING)
    actors = max(1, min(workers, len(files)))
    cpus = float(ray.cluster_resources().get("CPU", workers))
    items = [{"path": path} for path in files]
    dataset = ray.data.from_items(items, override_num_blocks=len(files))
    decoded = dataset.map(
        decode_row, fn_kwargs={"max_duration": options.max_duration}, num_cpus=DECODE_CPUS
    )
    share = max(DECODE_CPUS, (cpus - DECODE_CPUS) / actors)
    described = decoded.map(
        Describer,
        fn_constructor_kwargs={"options": options, "cpus": share, "describe_one": describe_one},
        compute=ray.data.ActorPoolStrategy(size=actors),
        num_cpus=share,
    )
    for row in described.iter_rows():
        yield json.loads(row["record"])


def decode_row(row: dict[str, Any], max_duration: float) -> dict[str, Any]:
    """A Ray task: a file decoded to its blocks (joined, with their sizes), or why it cannot."""
    from llm_ssd.audio.decode import decode

    path = row["path"]
    out: dict[str, Any] = {"path": path, "error": "", "name": "", "source_rate": 0, "rate": 0,
                           "samples": np.zeros(0, np.float32), "sizes": np.zeros(0, np.int64),
                           "warnings": "[]"}  # fmt: skip
    try:
        audio = decode(path, max_duration)
    except Exception as exc:
        out["error"] = error_text(exc)
        return out
    sizes = np.array([b.size for b in audio.blocks], np.int64)
    samples = np.concatenate(audio.blocks) if audio.blocks else np.zeros(0, np.float32)
    out.update(name=audio.name, source_rate=audio.source_rate, rate=audio.rate, samples=samples,
               sizes=sizes, warnings=json.dumps(list(audio.warnings)))  # fmt: skip
    return out


def error_text(exc: Exception) -> str:
    """A failed file's `error`, worded as the local engine words it."""
    from llm_ssd.errors import LLMSSDError

    if isinstance(exc, LLMSSDError):
        return str(exc)
    return f"unexpected {type(exc).__name__}: {exc}"


class Describer:
    """A Ray actor holding `cpus` of its machine's CPUs: the thread policy for as many analyses
    at once as such shares fit in the machine's cores, the weights loaded once, then a record
    per decoded file."""

    def __init__(self, options: Any, cpus: float, describe_one: Any) -> None:
        from llm_ssd.model import threads
        from llm_ssd.model.runtime import load_models

        threads.apply(max(1, round(threads.cores() / cpus)))
        self.options, self.describe_one = options, describe_one
        load_models(options.checkpoint, None, options.ensemble, options.model)

    def __call__(self, row: dict[str, Any]) -> dict[str, Any]:
        from llm_ssd.audio.decode import DecodedAudio

        path = row["path"]
        if row["error"]:
            return {"record": json.dumps({"source": path, "error": row["error"]})}
        samples = np.asarray(row["samples"], np.float32)
        edges = np.cumsum(np.asarray(row["sizes"], np.int64))[:-1]
        blocks = tuple(np.split(samples, edges))
        audio = DecodedAudio(row["name"], int(row["source_rate"]), int(row["rate"]), blocks,
                             tuple(json.loads(row["warnings"])))  # fmt: skip
        record = self.describe_one(path, self.options, audio)
        return {"record": json.dumps(record, ensure_ascii=False)}
