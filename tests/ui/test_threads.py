"""The app's thread policy (dlviz/ui/threads.py): Qt paints on the GUI thread alone."""

from __future__ import annotations

import os
import subprocess
import sys


def test_the_app_keeps_qts_painting_on_the_gui_thread():
    """`dlviz` sets QT_NO_GUI_THREADPOOL before Qt paints (Qt's painting threads would wait
    for the core the trainer uses); a user's own setting stays."""
    code = (
        "import os, sys\n"
        "from dlviz.ui.threads import apply_thread_policy\n"
        "apply_thread_policy()\n"
        "print(os.environ.get('QT_NO_GUI_THREADPOOL'))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "QT_NO_GUI_THREADPOOL"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.strip() == "1", out.stderr
    env["QT_NO_GUI_THREADPOOL"] = "yes"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.strip() == "yes", out.stderr


def test_the_app_applies_the_policy_before_its_window(monkeypatch, tmp_path):
    """`dlviz`'s main applies the whole policy (BLAS and painting) before Qt starts."""
    import dlviz.ui.app as app
    import dlviz.ui.threads as threads

    calls: list[str] = []
    monkeypatch.setattr(threads, "apply_thread_policy", lambda: calls.append("policy"))

    def no_app(offscreen: bool):
        calls.append("qt")
        raise SystemExit(0)

    monkeypatch.setattr(app, "_application", no_app)
    try:
        app.main(["--screenshot", str(tmp_path / "shot.png")])
    except SystemExit:
        pass
    assert calls == ["policy", "qt"]
