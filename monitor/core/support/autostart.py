"""Start Vigie at login: the XDG autostart entry $XDG_CONFIG_HOME/autostart/vigie.desktop, written or removed.

The entry's presence is the setting: a user who removes it in the desktop's own settings has turned it off,
and Vigie reads it that way (`autostart_enabled`).
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
from pathlib import Path

from monitor.core.support.files import atomic_write
from monitor.paths import resources_dir

log = logging.getLogger(__name__)

ENTRY_NAME = "vigie.desktop"
TEMPLATE_NAME = "vigie-autostart.desktop"


def autostart_dir(config_home: Path | None = None) -> Path:
    """$XDG_CONFIG_HOME/autostart (~/.config/autostart when the variable is unset or not absolute)."""
    if config_home is None:
        value = os.environ.get("XDG_CONFIG_HOME", "")
        config_home = Path(value) if value and os.path.isabs(value) else Path.home() / ".config"
    return config_home / "autostart"


def autostart_path(config_home: Path | None = None) -> Path:
    return autostart_dir(config_home) / ENTRY_NAME


def autostart_enabled(config_home: Path | None = None) -> bool:
    """Whether Vigie's autostart entry is installed (and not switched off with Hidden=true)."""
    path = autostart_path(config_home)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return False
    return not any(line.strip().lower() == "hidden=true" for line in text.splitlines())


def autostart_supported() -> bool:
    """Whether the desktop reads XDG autostart entries (Linux and the BSDs; not Windows or macOS)."""
    return sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd"))


def launch_command() -> str:
    """The Exec line that starts this Vigie minimised.

    A bundle's executable is Vigie itself; a venv or pipx install has its `vigie` script beside its Python
    (not resolved: a venv's python is a link to the system one); else the `vigie` on PATH, else this Python.
    """
    beside = Path(sys.executable).parent / "vigie"
    if getattr(sys, "frozen", False):
        argv = [sys.executable, "--minimized"]
    elif beside.is_file() and os.access(beside, os.X_OK):
        argv = [str(beside), "--minimized"]
    elif script := shutil.which("vigie"):
        argv = [script, "--minimized"]
    else:
        argv = [sys.executable, "-m", "monitor", "--minimized"]
    return " ".join(_quote_exec(arg) for arg in argv)


def _quote_exec(arg: str) -> str:
    """Quote one argument as the Desktop Entry spec wants (double quotes; `"`, `` ` ``, `$`, `\\` escaped)."""
    if arg and all(c.isalnum() or c in "-_./=:+," for c in arg):
        return arg
    escaped = "".join("\\" + c if c in '"`$\\' else c for c in arg)
    return f'"{escaped}"'.replace("%", "%%")


def install_autostart(enabled: bool, *, config_home: Path | None = None, command: str | None = None) -> Path:
    """Write (enabled) or remove (not enabled) the autostart entry; returns its path.

    Args:
        enabled: whether Vigie should start, minimised, at login.
        config_home: the XDG config folder (default: $XDG_CONFIG_HOME or ~/.config).
        command: the Exec line (default: launch_command(), so a venv or pipx install starts the right Vigie).

    Raises:
        OSError: when the folder cannot be written (the caller shows it).
    """
    path = autostart_path(config_home)
    if not enabled:
        try:
            path.unlink()
            log.info("removed the autostart entry %s", path)
        except FileNotFoundError:
            pass
        return path
    template = (resources_dir() / TEMPLATE_NAME).read_text(encoding="utf-8")
    exec_line = f"Exec={command or launch_command()}"
    lines = [exec_line if line.startswith("Exec=") else line for line in template.splitlines()]
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path) as out:
        out.write("\n".join(lines) + "\n")
    log.info("installed the autostart entry %s (%s)", path, exec_line)
    return path
