"""Allow ``python -m safediary``."""

from safediary.app import main

raise SystemExit(main())
