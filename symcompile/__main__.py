"""Allow ``python -m symcompile``."""

from symcompile.cli import main

main()
