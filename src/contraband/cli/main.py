"""Entry point: `contraband COMMAND ...`."""

from __future__ import annotations

import typer

from contraband.cli import policy_cmd
from contraband.cli.scan_cmd import scan_command

app = typer.Typer(
    name="contraband",
    help="Product-compliance enforcement: screen listings, decide, keep the penalty ledger.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("scan")(scan_command)
app.add_typer(policy_cmd.app, name="policy")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
