"""File adapters: import and export (CSV, XLSX, TOML, JSON, Markdown, demo data)."""
