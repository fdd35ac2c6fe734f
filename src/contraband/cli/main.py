"""Entry point: `contraband COMMAND ...`."""

from __future__ import annotations

import typer

from contraband.cli import (
    category_cmd,
    item_cmd,
    ledger_cmd,
    measure_cmd,
    policy_cmd,
    service_cmd,
)
from contraband.cli.rescan_cmd import rescan_command
from contraband.cli.scan_cmd import scan_command

app = typer.Typer(
    name="contraband",
    help="Product-compliance enforcement: screen listings, decide, keep the penalty ledger.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("scan")(scan_command)
app.command("rescan")(rescan_command)
app.add_typer(policy_cmd.app, name="policy")
app.add_typer(measure_cmd.app, name="measure")
app.command("enforce")(ledger_cmd.enforce_command)
app.add_typer(ledger_cmd.seller_app, name="seller")
app.add_typer(ledger_cmd.appeal_app, name="appeal")
app.add_typer(ledger_cmd.certificate_app, name="certificate")
app.add_typer(ledger_cmd.audit_app, name="audit")
app.add_typer(category_cmd.app, name="category")
app.add_typer(item_cmd.app, name="item")
app.command("serve")(service_cmd.serve_command)
app.add_typer(service_cmd.token_app, name="token")
app.add_typer(service_cmd.review_app, name="review")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
