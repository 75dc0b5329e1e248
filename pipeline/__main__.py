"""`python -m pipeline` (on Windows `py -m pipeline`): the same command as `jiekun`, for when Scripts is not on PATH."""
from .cli import main

main(prog_name="jiekun")
