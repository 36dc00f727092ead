"""Folder paths: a tuple of folder titles from the top, and its one-line text form "News/France".

In the text form, "/" separates folders; a title that itself contains "/" or "\\" writes them as "\\/" and "\\\\"
(so the folder "AC/DC" inside "Music" is "Music/AC\\/DC"). Titles are trimmed and their inner whitespace runs
collapsed to one space; empty segments ("News//France", a leading or trailing "/") are ignored, so "", "/" and
"  " all mean the top level, ().
"""

from __future__ import annotations

from collections.abc import Iterable

FolderPath = tuple[str, ...]

SEPARATOR = "/"
ESCAPE = "\\"
# How deep folders may nest. Readers that keep folders nest two or three levels; a file nested deeper than this
# is almost surely generated or broken, and a tree that deep cannot be shown in a sidebar. Deeper outlines go
# to their ancestor at this depth (the OPML import says so).
MAX_FOLDER_DEPTH = 16
MAX_TITLE_CHARS = 200


def clean_title(title: str) -> str:
    """A folder title as stored: trimmed, whitespace runs collapsed, at most MAX_TITLE_CHARS characters."""
    return " ".join((title or "").split())[:MAX_TITLE_CHARS]


def clean_path(path: Iterable[str]) -> FolderPath:
    """`path` with each title cleaned and empty titles dropped."""
    return tuple(t for t in (clean_title(p) for p in path) if t)


def parse_folder_path(text: str) -> FolderPath:
    """The folder path of "News/France" (see the module docstring for "\\/", "\\\\" and empty segments)."""
    parts: list[str] = []
    current: list[str] = []
    chars = iter(text or "")
    for char in chars:
        if char == ESCAPE:
            # A backslash before anything else, or at the end, stands for itself.
            following = next(chars, None)
            if following in (SEPARATOR, ESCAPE):
                current.append(following)
            else:
                current.append(ESCAPE)
                if following is not None:
                    current.append(following)
        elif char == SEPARATOR:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return clean_path(parts)


def format_folder_path(path: Iterable[str]) -> str:
    """The text form of a folder path; parse_folder_path reads it back to the same (cleaned) path."""
    return SEPARATOR.join(
        t.replace(ESCAPE, ESCAPE + ESCAPE).replace(SEPARATOR, ESCAPE + SEPARATOR) for t in clean_path(path)
    )
