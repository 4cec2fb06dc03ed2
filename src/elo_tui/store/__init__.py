"""The workspace store: the only package that speaks SQL."""

from elo_tui.store.workspace import (
    Workspace,
    WorkspaceError,
    WorkspaceFullError,
    WorkspaceReadOnlyError,
    workspace_exists,
)

__all__ = [
    "Workspace",
    "WorkspaceError",
    "WorkspaceFullError",
    "WorkspaceReadOnlyError",
    "workspace_exists",
]
