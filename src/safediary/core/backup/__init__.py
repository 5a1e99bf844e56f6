"""Backup: a verified copy of the vault folder, and restoring one."""
