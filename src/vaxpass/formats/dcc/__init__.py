"""EU Digital COVID Certificate (HCERT): payload, value sets, UVCI, names, pipeline, verifier."""
