"""The reference central tracker service (FastAPI); never imported by the TUI."""
