"""Record commands: ``import FILE``, ``seed --people N``, ``verify-identities [--limit N]``,
``stats [--json]``. Thin: parse options, open the database, call one service, print."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from sqlalchemy import Engine

from vaxpass.bootstrap import population_registry
from vaxpass.cli.app import app
from vaxpass.clock import SystemClock
from vaxpass.config import get_settings
from vaxpass.errors import VaxpassError
from vaxpass.registry.store import RegistryStore
from vaxpass.services.identity import pending_count, verify_identities
from vaxpass.services.importer import ErrorReport, default_report_path, import_records
from vaxpass.services.rows import RowRules
from vaxpass.services.seed import seed_people
from vaxpass.services.sources import read_rows
from vaxpass.services.stats import record_stats
from vaxpass.storage.database import open_database

FAILURE = 2
console = Console(stderr=True)


def fail(error: VaxpassError) -> NoReturn:
    console.print(f"[red]error {error.code}[/]: {error.message}")
    raise typer.Exit(FAILURE)


def database() -> Engine:
    try:
        return open_database(get_settings().effective_database_url)
    except VaxpassError as error:
        fail(error)


def today_rules() -> RowRules:
    return RowRules(today=SystemClock().now().date())


@contextmanager
def progress_bar(label: str, total: int | None) -> Iterator[Callable[[int], None]]:
    """A rich progress bar on stderr; yields ``advance_to(done)``."""
    columns = (SpinnerColumn(), TextColumn(label), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())  # fmt: skip
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task(label, total=total)
        yield lambda done: bar.update(task, completed=done)


def emit(document: dict[str, Any]) -> None:
    typer.echo(json.dumps(document, ensure_ascii=False, indent=2))


@app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="CSV or XLSX export of the vaccination platform")],
    errors: Annotated[
        Path | None, typer.Option("--errors", help="Error report CSV (default FILE.errors.csv)")
    ] = None,
) -> None:
    """Import dose records; rejected rows go to the error report (row, field, reason)."""
    engine = database()
    report_path = errors or default_report_path(file)
    try:
        with report_path.open("w", newline="", encoding="utf-8") as stream:
            report = ErrorReport(stream)
            with progress_bar("importing rows", None) as advance:
                summary = import_records(engine, read_rows(file), today_rules(), report, advance)
    except VaxpassError as error:
        report_path.unlink(missing_ok=True)
        fail(error)
    emit({**summary.as_dict(), "error_report": str(report_path), "errors": report.count})


@app.command("seed")
def seed_command(
    people: Annotated[int, typer.Option("--people", min=1, help="How many people to create")],
    seed: Annotated[int, typer.Option("--seed", help="Random seed")] = 2022,
    error_rate: Annotated[
        float, typer.Option("--error-rate", min=0.0, max=1.0, help="Share with a data error")
    ] = 0.1,
) -> None:
    """Generate synthetic people and doses into both the system and the registry store."""
    engine = database()
    store = RegistryStore(get_settings().effective_registry_store)
    try:
        with progress_bar("seeding dose rows", None) as advance:
            summary = seed_people(engine, store, people, today_rules(), seed=seed,
                                  error_rate=error_rate, progress=advance)  # fmt: skip
    except VaxpassError as error:
        fail(error)
    finally:
        store.close()
    imported = summary.imported.as_dict() if summary.imported else {}
    emit({"people": summary.people, "citizens_loaded": summary.citizens_loaded,
          "injected_errors": dict(summary.injected_errors), "import": imported})  # fmt: skip


@app.command("verify-identities")
def verify_identities_command(
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Check at most N")] = None,
) -> None:
    """Check pending records against the population registry, in batches."""
    engine = database()
    settings = get_settings()
    total = pending_count(engine, limit)
    done = 0
    try:
        with population_registry(settings) as registry, progress_bar("checking", total) as advance:

            def step(batch: int) -> None:
                nonlocal done
                done += batch
                advance(done)

            outcome = verify_identities(
                engine, registry, SystemClock().now(), limit=limit,
                batch_size=settings.registry_batch_size, progress=step,
            )  # fmt: skip
    except VaxpassError as error:
        fail(error)
    emit({"checked": done, "outcomes": outcome})


@app.command("stats")
def stats_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
) -> None:
    """Counts of records by state, mismatching fields and table sizes."""
    stats = record_stats(database())
    if as_json:
        emit(stats)
        return
    table = Table("state", "records")
    for state, count in stats["records_by_state"].items():
        table.add_row(state, str(count))
    Console().print(table)
