"""Evidence: the store of imported files, its encrypted blobs, media detection and thumbnails."""
