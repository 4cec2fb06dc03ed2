"""The reference central tracker service (FastAPI), `elo-tracker`.

Imports the wire contract (`elo_contract`), its own modules, fastapi/pydantic/uvicorn,
never the app (`elo_tui`); the app never imports it (tests/test_layering.py).
"""
