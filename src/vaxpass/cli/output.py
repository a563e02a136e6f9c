"""Shared console helpers for the command line."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.table import Table

from vaxpass.formats.dcc.report import VerificationResult

console = Console()
errors = Console(stderr=True)


def print_json(document: Any) -> None:
    print(json.dumps(document, ensure_ascii=False, indent=2, sort_keys=False))


def print_verification(result: VerificationResult) -> None:
    verdict = "[bold green]VALID[/]" if result.valid else "[bold red]INVALID[/]"
    console.print(f"Verdict: {verdict}")
    if result.error is not None:
        console.print(f"Error: {result.error.code} — {result.error.message}")
    table = Table("check", "outcome")
    marks = {True: "[green]passed[/]", False: "[red]failed[/]", None: "[dim]n/a[/]"}
    for name, outcome in result.checks.items():
        table.add_row(name, marks[outcome])
    console.print(table)
    header = result.header.to_json()
    # Header values come from the QR itself, signed or not: never interpret them as markup.
    console.print(
        f"kid={header['kid']} alg={header['alg']} iss={header['iss']} "
        f"iat={header['iat']} exp={header['exp']}",
        markup=False,
        highlight=False,
    )
