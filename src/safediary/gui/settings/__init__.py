"""Settings: preferences kept in settings.ini and the dialog that changes them."""
