"""Keys, key slots, the keyring adapter, the audit chain and (later) bundle crypto."""
