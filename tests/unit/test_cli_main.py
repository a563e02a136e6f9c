"""The command table that lets ``vaxpass`` import only the module of the command it runs."""

from __future__ import annotations

from pathlib import Path

import typer.main

from vaxpass.cli import main


def test_every_command_module_is_in_the_table() -> None:
    folder = Path(main.__file__).parent
    modules = {path.stem for path in folder.glob("*.py")} - {"__init__", "app", "main", "output"}
    assert modules == set(main.COMMAND_MODULES.values())


def test_every_registered_command_is_in_the_table() -> None:
    main.register(sorted(set(main.COMMAND_MODULES.values())))
    group = typer.main.get_command(main.app)
    assert isinstance(group, typer.main.TyperGroup)
    assert set(group.commands) == set(main.COMMAND_MODULES)


def test_only_the_running_command_is_loaded() -> None:
    assert main.modules_for(["verify", "HC1:..."]) == ["verify"]
    assert main.modules_for(["stats", "--json"]) == ["records"]
    assert main.modules_for(["--help"]) == sorted(set(main.COMMAND_MODULES.values()))
    assert main.modules_for(["no-such-command"]) == sorted(set(main.COMMAND_MODULES.values()))
