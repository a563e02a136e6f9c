"""Command line: thin Typer commands that parse, call one service and map the result."""
