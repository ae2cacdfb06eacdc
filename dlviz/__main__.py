"""Entry point: ``dlviz`` opens the app; ``dlviz train|predict|bench ...`` runs the CLI."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    from dlviz.cli import SUBCOMMANDS

    if args and args[0] in SUBCOMMANDS:
        from dlviz.cli import main as cli_main

        return cli_main(args)
    from dlviz.ui.app import main as app_main

    return app_main(args)


if __name__ == "__main__":
    sys.exit(main())
