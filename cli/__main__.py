"""``python -m cli``: the same as the ``barrierwatch`` command."""

from cli import main

main()
