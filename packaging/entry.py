"""Entry point of the frozen SafeDiary executable (PyInstaller starts here)."""

from safediary.app import main

raise SystemExit(main())
