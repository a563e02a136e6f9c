"""``python -m vaxpass`` runs the command line."""

from vaxpass.cli.main import app

app()
