"""The Describe tab's choice of network (issue 19): SoundAQnet or one of the paper's Table V
networks whose weights are here, or all of them side by side; the others are named with the
command that gets or trains their weights. Gradio wiring only."""

from __future__ import annotations

import gradio as gr

from llm_ssd.model.networks.registry import ALL, SOUNDAQNET, Network
from llm_ssd.model.runtime import available_networks

ALL_LABEL = "All networks side by side"
NETWORK_LABEL = "Network (SoundAQnet, or another of the paper's Table V)"


def network_label(spec: Network) -> str:
    """ "AD_CNN (Table V: 89.30 % / 0.84 / 1.137, log-mel only)"."""
    heard = "log-mel and loudness" if spec.uses_loudness else "log-mel only"
    return f"{spec.label} (Table V: {spec.published.line()}, {heard})"


def missing_note(absent: list[Network]) -> str:
    """The networks without weights here, with the command that gets (or trains) them."""
    if not absent:
        return "Every network of Table V has its weights here."
    fetch = [f"{spec.label}: `{spec.how_to_get()}`" for spec in absent if spec.published_file]
    train = [spec.label for spec in absent if not spec.published_file]
    parts = fetch + (
        [f"{', '.join(train)}: trained with `llm-ssd train fit --model NAME` (README, Table V)"]
        if train
        else []
    )
    return f"Networks without weights here, and how to get them: {'; '.join(parts)}."


def network_choice() -> gr.Dropdown:
    """The dropdown of the networks whose weights are present, SoundAQnet first, then "all"."""
    present, absent = available_networks()
    choices = [(network_label(spec), spec.name) for spec in present]
    if len(present) > 1:
        choices.append((ALL_LABEL, ALL))
    dropdown = gr.Dropdown(choices, value=SOUNDAQNET.name, label=NETWORK_LABEL)
    gr.Markdown(missing_note(absent))
    return dropdown


def analysis_choice(checkpoint: str | None, network: str | None) -> dict[str, str | None]:
    """`analyze()`'s checkpoint and model for the two dropdowns: SoundAQnet keeps the chosen
    checkpoint; another network (or all) runs with its own."""
    if not network or network == SOUNDAQNET.name:
        return {"checkpoint": checkpoint, "model": None}
    return {"checkpoint": None, "model": network}
