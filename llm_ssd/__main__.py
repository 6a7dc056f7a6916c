"""`python -m llm_ssd`: the command line.

May import: cli."""

import sys

from llm_ssd.cli.parser import main

sys.exit(main())
