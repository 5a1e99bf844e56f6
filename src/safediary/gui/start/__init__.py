"""Starting: first run, unlock, changing the passphrase, the keychain, the recovery key."""
