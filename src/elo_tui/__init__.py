"""elo_tui: bring an agency's business-facing products onto e-loketondernemers."""

__version__ = "0.1.0"
