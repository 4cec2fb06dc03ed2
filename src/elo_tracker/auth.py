"""Who may do what on the tracker.

- An agency token reads and writes only its own workspace.
- An admin (VLAIO) token reads every workspace and writes only review feedback.
- A missing or wrong token is a 401. A workspace that is not yours is a 404, the same
  answer as a workspace that does not exist, so nobody learns which OVO codes are in use.

Tokens are `elot_<key id>.<secret>` made with `secrets`; the tracker keeps only their
SHA-256 and compares in constant time (see `TrackerStore.authenticate`).
"""

from __future__ import annotations

from fastapi import HTTPException

from elo_tracker.store import Principal

NOT_FOUND = "Werkruimte niet gevonden."


def unauthorized(
    detail: str = "Geen geldig token. Stuur 'Authorization: Bearer <token>'.",
) -> HTTPException:
    return HTTPException(401, detail, headers={"WWW-Authenticate": "Bearer"})


def bearer_token(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def check_read(principal: Principal, workspace: str, exists: bool) -> None:
    """Admins read any existing workspace; an agency only its own."""
    if principal.is_admin:
        if not exists:
            raise HTTPException(404, NOT_FOUND)
        return
    if principal.workspace != workspace:
        raise HTTPException(404, NOT_FOUND)


def check_agency_write(principal: Principal, workspace: str) -> None:
    """Only the agency itself writes its records; admins give feedback through /reviews."""
    if principal.is_admin:
        raise HTTPException(
            403, "Een beheerderstoken schrijft alleen feedback (POST …/reviews), geen records."
        )
    if principal.workspace != workspace:
        raise HTTPException(404, NOT_FOUND)


def require_admin(principal: Principal) -> None:
    if not principal.is_admin:
        raise HTTPException(403, "Alleen voor beheerders van het programma (VLAIO).")
