"""The workspace store: the only package that speaks SQL."""

from elo_tui.store.workspace import Workspace, WorkspaceError

__all__ = ["Workspace", "WorkspaceError"]
