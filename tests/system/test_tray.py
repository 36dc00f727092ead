"""The tray on a real X server (Xvfb) with a real tray host (trayer): embedding, menu, notification, click.

Qt picks its platform once per process, and the rest of the suite runs offscreen, so the checks themselves
live in tray_session.py and run in a child pytest process pointed at this X server (QT_QPA_PLATFORM=xcb).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.system

TOOLS = ("Xvfb", "trayer", "xdotool", "xwininfo")
SESSION = Path(__file__).with_name("tray_session.py")


def _missing_tools() -> list[str]:
    return [tool for tool in TOOLS if shutil.which(tool) is None]


@pytest.fixture
def x_display(tmp_path: Path) -> Iterator[str]:
    """A fresh Xvfb on a free display (Xvfb picks it: -displayfd) with trayer docked at the top right."""
    missing = _missing_tools()
    if missing:
        pytest.skip(
            f"needs {', '.join(missing)} (scripts/setup --test installs Xvfb, trayer, xdotool, x11-utils)"
        )
    with contextlib.ExitStack() as stack:
        xvfb_log = stack.enter_context((tmp_path / "xvfb.log").open("w"))
        trayer_log = stack.enter_context((tmp_path / "trayer.log").open("w"))
        read_end, write_end = os.pipe()
        xvfb = subprocess.Popen(
            [
                "Xvfb",
                "-displayfd",
                str(write_end),
                "-screen",
                "0",
                "1024x768x24",
                "-nolisten",
                "tcp",
                "-noreset",
            ],
            pass_fds=(write_end,),
            stdout=subprocess.DEVNULL,
            stderr=xvfb_log,
        )
        stack.callback(_stop, xvfb)
        os.close(write_end)
        with os.fdopen(read_end) as pipe:
            number = pipe.readline().strip()  # written once the server accepts connections
        if not number:
            pytest.fail(f"Xvfb did not start: {(tmp_path / 'xvfb.log').read_text()}")
        display = f":{number}"
        trayer = subprocess.Popen(
            [
                "trayer",
                "--edge",
                "top",
                "--align",
                "right",
                "--width",
                "10",
                "--height",
                "32",
                "--SetDockType",
                "true",
                "--expand",
                "true",
                "--transparent",
                "false",
                "--tint",
                "0xdddddd",
            ],
            env={**os.environ, "DISPLAY": display},
            stdout=subprocess.DEVNULL,
            stderr=trayer_log,
        )
        stack.callback(_stop, trayer)
        yield display


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def test_tray_icon_menu_notification_and_click_on_a_real_tray(x_display: str, tmp_path: Path) -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "QT_QPA_PLATFORMTHEME")
    }
    env.update(
        {
            "DISPLAY": x_display,
            "QT_QPA_PLATFORM": "xcb",
            "XDG_RUNTIME_DIR": str(tmp_path),
            "VIGIE_DATA_DIR": str(tmp_path / "profile"),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
        }
    )
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-q",
            "--rootdir",
            str(REPO),
            "-c",
            str(REPO / "pyproject.toml"),
            str(SESSION),
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, f"tray checks failed:\n{done.stdout[-6000:]}\n{done.stderr[-3000:]}"
    assert re.search(r"\b5 passed\b", done.stdout), done.stdout[-3000:]  # none skipped
