"""Client side of the tracker protocol (httpx), loaded only when syncing."""
