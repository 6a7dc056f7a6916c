"""`llm-ssd`, the command line: the parser and `main` (`parser`), describing clips in batches
(`describe`) and its worker processes (`workers`), training and evaluation (`train`), and the
class's ratings (`ratings`).

May import: llm_ssd."""

from llm_ssd.cli.parser import main

__all__ = ["main"]
