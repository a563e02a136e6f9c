"""National PKI: CSCA, document signer certificates, trust lists, revocation."""
