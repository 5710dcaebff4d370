"""Database backends of the platform (only SQLite's needs anything of its own)."""
