"""Backup on screen: make, check and open a backup; the reminder."""
