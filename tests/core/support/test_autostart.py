"""The autostart entry: written to $XDG_CONFIG_HOME/autostart, starting Vigie minimised, and removed again."""

from __future__ import annotations

import configparser
import sys
from pathlib import Path

import pytest

from monitor.core.support.autostart import (
    autostart_enabled,
    autostart_path,
    autostart_supported,
    install_autostart,
    launch_command,
)
from monitor.paths import resources_dir


def _entry(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(path, encoding="utf-8")
    return parser["Desktop Entry"]


def test_the_shipped_entry_starts_vigie_minimized() -> None:
    entry = _entry(resources_dir() / "vigie-autostart.desktop")
    assert entry["Type"] == "Application"
    assert entry["Exec"] == "vigie --minimized"
    assert entry["Name"] == "Vigie"


def test_installing_writes_the_entry_in_the_xdg_autostart_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    assert not autostart_enabled()

    path = install_autostart(True, command="/opt/vigie/bin/vigie --minimized")

    assert path == tmp_path / "config" / "autostart" / "vigie.desktop"
    assert _entry(path)["Exec"] == "/opt/vigie/bin/vigie --minimized"
    assert autostart_enabled()

    assert install_autostart(False) == path
    assert not path.exists() and not autostart_enabled()
    install_autostart(False)  # removing twice is fine


def test_without_xdg_config_home_the_folder_is_dot_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert autostart_path() == tmp_path / ".config" / "autostart" / "vigie.desktop"


def test_the_default_command_starts_this_vigie_minimized(tmp_path: Path) -> None:
    command = launch_command()
    assert command.endswith("--minimized")
    path = install_autostart(True, config_home=tmp_path)
    assert _entry(path)["Exec"] == command


def test_an_entry_switched_off_by_the_desktop_counts_as_off(tmp_path: Path) -> None:
    path = install_autostart(True, config_home=tmp_path, command="vigie --minimized")
    path.write_text(path.read_text(encoding="utf-8") + "Hidden=true\n", encoding="utf-8")
    assert not autostart_enabled(tmp_path)


def test_a_venv_starts_its_own_vigie_script(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = tmp_path / "my venv" / "bin"  # a space: the Exec line must quote it
    bin_dir.mkdir(parents=True)
    script = bin_dir / "vigie"
    script.write_text("#!/bin/sh\n", encoding="utf-8")
    script.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(bin_dir / "python"))
    assert launch_command() == f'"{script}" --minimized'


def test_without_a_vigie_script_this_python_runs_the_module(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python3"))
    monkeypatch.setenv("PATH", str(tmp_path))
    assert launch_command() == f"{tmp_path / 'python3'} -m monitor --minimized"


def test_autostart_is_offered_where_the_desktop_reads_xdg_entries(monkeypatch: pytest.MonkeyPatch) -> None:
    for platform, offered in (("linux", True), ("freebsd14", True), ("win32", False), ("darwin", False)):
        monkeypatch.setattr(sys, "platform", platform)
        assert autostart_supported() is offered
