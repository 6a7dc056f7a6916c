"""`llm-ssd`, the command line: the parser and `main` (`parser`), describing clips in batches
(`describe`) and its worker processes (`workers`), its archive options (`archive`: Parquet,
`--resume`, start times, calibration) and the Ray engine (`ray_engine`), the soundscape diary
(`diary`), training and evaluation (`train`), and the class's ratings (`ratings`).

May import: llm_ssd."""

from llm_ssd.cli.parser import main

__all__ = ["main"]
