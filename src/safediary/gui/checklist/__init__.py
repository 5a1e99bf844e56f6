"""The safety checklist dialog."""
