"""Use cases shared by the TUI and the CLI: they combine domain rules with the store."""
