"""The vault: key slots, keychain, the encrypted database, its schema and small stores."""
