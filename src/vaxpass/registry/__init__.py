"""The national population database: the client port the system uses, and a reference
implementation of its matching service (``vaxpass registry serve``) with its own store."""
