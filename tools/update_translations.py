"""Regenerate dlviz's translation catalogues from the code.

    python tools/update_translations.py          # update the .ts files, compile the .qm files
    python tools/update_translations.py --check  # exit 1 if either is out of date (CI, tests)

``pyside6-lupdate`` collects every ``translate(context, text)`` and
``QT_TRANSLATE_NOOP(context, text)`` in ``dlviz/ui`` into
``dlviz/resources/translations/dlviz_<lang>.ts``: new texts come in
unfinished (translate them with Qt Linguist, ``pyside6-linguist``, or in the
XML), texts gone from the code are dropped.  ``pyside6-lrelease`` then
compiles each ``.ts`` into the ``.qm`` the app loads.  Both tools ship with
PySide6-Essentials.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "dlviz" / "ui"
TRANSLATIONS = ROOT / "dlviz" / "resources" / "translations"
LANGUAGES = ("zh_CN",)


def tool(name: str) -> str:
    """A PySide6 tool: next to this Python first (a virtualenv), else on PATH."""
    here = Path(sys.executable).parent / name
    found = str(here) if here.exists() else shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} not found: install PySide6 (pip install -e .)")
    return found


#: lupdate takes Python's ``#:`` comments for notes to translators; in dlviz they are
#: Sphinx doc comments of the names below them, so they are left out of the catalogue.
EXTRACOMMENT = re.compile(r"\n *<extracomment>.*?</extracomment>", re.DOTALL)


def lupdate(ts: Path) -> None:
    subprocess.run(
        [
            tool("pyside6-lupdate"),
            "-extensions",
            "py",
            "-no-obsolete",
            "-locations",
            "none",
            "-silent",
            str(SOURCES),
            "-ts",
            str(ts),
        ],
        check=True,
    )
    text = ts.read_text(encoding="utf-8")
    ts.write_text(EXTRACOMMENT.sub("", text), encoding="utf-8")


def lrelease(ts: Path, qm: Path) -> None:
    subprocess.run([tool("pyside6-lrelease"), "-silent", str(ts), "-qm", str(qm)], check=True)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--check", action="store_true", help="change nothing; exit 1 if out of date")
    args = p.parse_args(argv)
    stale = []
    for lang in LANGUAGES:
        ts = TRANSLATIONS / f"dlviz_{lang}.ts"
        qm = TRANSLATIONS / f"dlviz_{lang}.qm"
        if not args.check:
            TRANSLATIONS.mkdir(parents=True, exist_ok=True)
            lupdate(ts)
            lrelease(ts, qm)
            print(f"updated {ts.relative_to(ROOT)} and {qm.relative_to(ROOT)}")
            continue
        with tempfile.TemporaryDirectory() as tmp:
            fresh_ts = Path(tmp) / ts.name
            fresh_qm = Path(tmp) / qm.name
            shutil.copy(ts, fresh_ts)
            lupdate(fresh_ts)
            lrelease(ts, fresh_qm)
            if fresh_ts.read_bytes() != ts.read_bytes():
                stale.append(f"{ts.relative_to(ROOT)} (texts in the code changed)")
            if not qm.exists() or fresh_qm.read_bytes() != qm.read_bytes():
                stale.append(f"{qm.relative_to(ROOT)} (not compiled from the .ts)")
    for what in stale:
        print(f"out of date: {what}; run python tools/update_translations.py", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
