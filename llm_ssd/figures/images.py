"""A figure drawn once, at the resolution it is shown at, and encoded from that one drawing for
each use: WebP for the page, PNG for the downloads (issue 21: drawing, not encoding, is what a
figure costs, and the downloads used to draw every figure a second time)."""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass, field

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

PAGE_FORMAT = "webp"
"""How figures travel to the browser (gr.Plot's own default, lossy at PIL's quality)."""
DOWNLOAD_FORMAT = "png"
"""How figures are taken home: lossless."""


@dataclass(frozen=True, eq=False)
class Rendered:
    """The pixels of a drawn figure."""

    rgba: np.ndarray
    """(height, width, 4) uint8."""
    files: dict[str, bytes] = field(default_factory=dict, repr=False)
    """Each format encoded so far (an image drawn elsewhere comes with those it needs)."""

    @property
    def size(self) -> tuple[int, int]:
        """Width and height, pixels."""
        return self.rgba.shape[1], self.rgba.shape[0]

    def encoded(self, fmt: str = PAGE_FORMAT) -> bytes:
        """The image as a file of format `fmt` (any PIL writes), encoded once."""
        if fmt not in self.files:
            with io.BytesIO() as out:
                Image.fromarray(self.rgba, "RGBA").save(out, fmt)
                self.files[fmt] = out.getvalue()
        return self.files[fmt]

    def data_url(self, fmt: str = PAGE_FORMAT) -> str:
        """The image as a `data:` URL, as gr.Plot shows a matplotlib figure."""
        return f"data:image/{fmt};base64,{base64.b64encode(self.encoded(fmt)).decode()}"


def render(fig: Figure) -> Rendered:
    """Draw `fig` once, at its own size and dpi (what the page shows), and keep the pixels."""
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    canvas.draw()
    return Rendered(np.array(canvas.buffer_rgba()))
