"""Use cases, one module per verb group."""
