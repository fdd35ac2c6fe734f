"""`contraband serve`, API tokens, and the review queue from the command line."""

from __future__ import annotations

import os
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from contraband.cli.common import (
    DB_HELP,
    POLICY_HELP,
    command,
    edge,
    err,
    fail,
    out,
    parse_datetime,
)
from contraband.cli.ledger_cmd import open_ledger


@edge
def serve_command(
    host: str = typer.Option("127.0.0.1", "--host"),
    port: int = typer.Option(8000, "--port", min=1, max=65535),
    workers: int = typer.Option(1, "--workers", min=1, max=64, help="Worker processes"),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    policy: Path | None = typer.Option(None, "--policy", help=POLICY_HELP),
    category_model: Path | None = typer.Option(
        None,
        "--category-model",
        help="Screen with this category model (or $CONTRABAND_CATEGORY_MODEL)",
    ),
    item_model: Path | None = typer.Option(
        None, "--item-model", help="Screen with this item model (or $CONTRABAND_ITEM_MODEL)"
    ),
) -> None:
    """Run the HTTP service (OpenAPI at /docs; /healthz, /readyz, /metrics)."""
    import uvicorn

    from contraband.policy import load_pack
    from contraband.screening import load_models
    from contraband.settings import settings

    config = settings(
        database_url=db, policy_dir=policy, category_model=category_model, item_model=item_model
    )
    load_pack(config.policy_dir)  # a broken pack stops here, with its problems, not in a worker
    load_models(
        config.category_model, config.item_model
    )  # and so does a model file that is not one
    # Workers are separate processes: they read the same settings from the environment.
    os.environ["CONTRABAND_DATABASE_URL"] = config.database_url
    os.environ["CONTRABAND_POLICY_DIR"] = str(config.policy_dir)
    for name, path in (
        ("CONTRABAND_CATEGORY_MODEL", config.category_model),
        ("CONTRABAND_ITEM_MODEL", config.item_model),
    ):
        if path is not None:
            os.environ[name] = str(path.resolve())
    err.print(f"serving on http://{host}:{port} ({workers} worker(s), {config.database_url})")
    uvicorn.run(
        "contraband.api.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
    )


token_app = typer.Typer(help="API tokens of the HTTP service.", no_args_is_help=True)


@command(token_app, "create")
def token_create(
    role: str = typer.Option(..., "--role", help="platform, seller, reviewer, operator, auditor"),
    name: str = typer.Option(..., "--name", help="Who or what holds it"),
    seller: str | None = typer.Option(None, "--seller", help="The seller a seller token is for"),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Create a token; its secret is printed once (only a hash of it is kept)."""
    from contraband.api.tokens import Role, create_token

    try:
        chosen = Role(role)
    except ValueError:
        fail(f"--role must be one of {', '.join(r.value for r in Role)}, got {role!r}")
    with open_ledger(db, None) as ledger:
        token, secret = create_token(
            ledger.store, chosen, name, seller, parse_datetime(None, "--at")
        )
    err.print(f"token {token.token_id} ({token.role}): the secret below is shown only once")
    out.print(secret)


@command(token_app, "list")
def token_list(db: str | None = typer.Option(None, "--db", help=DB_HELP)) -> None:
    """Every token: id, role, seller, name, created, revoked (never the secret)."""
    from contraband.api.tokens import list_tokens

    with open_ledger(db, None, create=False) as ledger:
        tokens = list_tokens(ledger.store)
    table = Table(show_edge=False)
    for column in ("token", "role", "seller", "name", "created", "revoked"):
        table.add_column(column)
    for token in tokens:
        table.add_row(
            token.token_id,
            token.role,
            escape(token.seller_id or "-"),
            escape(token.name),
            token.created_at.isoformat()[:16],
            token.revoked_at.isoformat()[:16] if token.revoked_at else "-",
        )
    out.print(table)


@command(token_app, "revoke")
def token_revoke(
    token_id: str = typer.Argument(...),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Revoke a token: it answers 401 from now on."""
    from contraband.api.tokens import revoke

    with open_ledger(db, None, create=False) as ledger:
        revoke(ledger.store, token_id, parse_datetime(None, "--at"))
    out.print(f"token {escape(token_id)} revoked")


review_app = typer.Typer(help="The review queue.", no_args_is_help=True)


@command(review_app, "list")
def review_list(
    status: str = typer.Option("open", "--status", help="open, confirmed or dismissed"),
    seller: str | None = typer.Option(None, "--seller"),
    item: str | None = typer.Option(None, "--item"),
    limit: int = typer.Option(50, "--limit", min=1, max=500),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    policy: Path | None = typer.Option(None, "--policy", help=POLICY_HELP),
) -> None:
    """Review cases, oldest first, with the evidence and what confirming would cost."""
    from contraband.ledger.store import CaseQuery

    with open_ledger(db, policy, create=False) as ledger:
        page = ledger.cases(CaseQuery(status=status, seller_id=seller, item_id=item, limit=limit))
    out.print(f"{page.total:,} {status} case(s)")
    for case in page.cases:
        finding = case.finding
        evidence = f"'{finding.text}' ({finding.reason})" if finding else ""
        out.print(
            f"  {case.case_id}  seller {escape(case.seller_id)}  listing "
            f"{escape(case.listing_id)}  {escape(case.item_id or case.kind)}  "
            f"{case.points_if_confirmed:g} pts if confirmed"
        )
        if evidence:
            out.print(f"      {escape(evidence)}")


@command(review_app, "decide")
def review_decide(
    case_id: str = typer.Argument(...),
    confirm: bool = typer.Option(False, "--confirm"),
    dismiss: bool = typer.Option(False, "--dismiss"),
    reason: str = typer.Option(..., "--reason"),
    reviewer: str = typer.Option(..., "--reviewer"),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    policy: Path | None = typer.Option(None, "--policy", help=POLICY_HELP),
    at: str | None = typer.Option(None, "--at"),
) -> None:
    """Confirm (the rule's points are recorded) or dismiss (the same listing content and item
    open no case again)."""
    if confirm == dismiss:
        fail("give exactly one of --confirm or --dismiss")
    with open_ledger(db, policy, create=False) as ledger:
        case = ledger.decide_case(case_id, confirm, reason, reviewer, parse_datetime(at, "--at"))
    out.print(f"case {escape(case.case_id)} {case.status}")
