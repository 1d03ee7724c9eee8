"""Command-line entry point: ``python main.py "Write a function that ..."``."""

import sys

from orchestrator.cli import main

if __name__ == "__main__":
    sys.exit(main())
