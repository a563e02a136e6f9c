"""The only place that touches private keys (the "hazmat" boundary)."""
