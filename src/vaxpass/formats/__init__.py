"""Codecs: small, pure, deterministic encode/decode pairs, one module per specification stage."""
