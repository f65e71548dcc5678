"""Run the command line as ``python -m egov_kg``."""

from egov_kg.cli import main

main(prog_name="egov-kg")
