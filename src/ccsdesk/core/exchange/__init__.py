"""Exchange: keys, identities, signatures, archives and transport between committees."""
