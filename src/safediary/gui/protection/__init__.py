"""Protection: quick exit, idle lock, screen lock, concealment, the clipboard."""
