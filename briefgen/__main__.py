"""`python -m briefgen` runs the command line."""

from .cli import entry

entry()
