"""``dlviz`` with no subcommand: open the app, or render a screenshot and exit.

    dlviz [PROJECT.dlviz | DATA.csv | IMAGE_FOLDER] [--preset NAME] [--play] [--dark] ...
    dlviz --screenshot FILE.png [--preset NAME] [--train-steps N] [--size WxH] [--view NAME]
    dlviz --lesson NAME [--lesson-step K] [--lang en|zh_CN] [--screenshot FILE.png ...]

User mistakes (unknown preset, unreadable file) print one line and exit with
status 2, like the CLI.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Sequence
from typing import Any

from dlviz.core.errors import DlvizError

SCREENSHOT_TIMEOUT_S = 300
#: How long a screenshot waits for the last snapshot to carry what its views draw.
SETTLE_TIMEOUT_MS = 5000


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:
        raise DlvizError(f"{message} (see dlviz --help)")


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a size like 1600x1000") from None
    if not (200 <= w <= 8000 and 200 <= h <= 8000):
        raise argparse.ArgumentTypeError(f"size {text}: use 200 to 8000 pixels per side")
    return w, h


def _steps(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if not 0 <= n <= 10_000_000:
        raise argparse.ArgumentTypeError("training steps must be 0 to 10 000 000")
    return n


#: The languages the app (and every lesson) comes in.
LANGUAGES = ("en", "zh_CN")


def _language(text: str) -> str:
    if text not in LANGUAGES:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a language dlviz has; use {' or '.join(LANGUAGES)}"
        )
    return text


def make_parser() -> argparse.ArgumentParser:
    from dlviz.core.data import PRESETS
    from dlviz.core.images import IMAGE_PRESETS
    from dlviz.ui.views import VIEWS

    p = _Parser(
        prog="dlviz",
        description="A desktop neural-network playground. Subcommands: dlviz train | predict | "
        "bench (see dlviz train --help).",
    )
    p.add_argument(
        "data",
        nargs="?",
        metavar="PROJECT_CSV_OR_FOLDER",
        help="project (.dlviz), data file (.csv) or folder of images (MNIST IDX files, or "
        "class folders 0/ to 9/ of PNG images) to open",
    )
    p.add_argument(
        "--preset",
        choices=PRESETS + tuple(IMAGE_PRESETS),
        metavar="NAME",
        help=f"start with a preset dataset: {', '.join(PRESETS)}; or images: digits (with "
        "its 64-32-10 network), mnist (784-128-10; give the MNIST folder too)",
    )
    p.add_argument("--classes", type=int, default=None, help="classes for the preset (2-8)")
    p.add_argument(
        "--hidden",
        metavar="WIDTHS",
        help="hidden layer widths, e.g. 8,8,8 ('none' for no hidden layer)",
    )
    p.add_argument(
        "--activation",
        default="tanh",
        metavar="NAME",
        help="activation of the --hidden layers: one for all, or one per layer (default tanh)",
    )
    p.add_argument("--play", action="store_true", help="start training at once")
    p.add_argument(
        "--gradients",
        action="store_true",
        help="the network graph shows gradients instead of weights",
    )
    p.add_argument("--dark", action="store_true", help="dark theme")
    p.add_argument("--presentation", action="store_true", help="large type (full screen)")
    p.add_argument("--screenshot", metavar="FILE.png", help="render the window to FILE and exit")
    p.add_argument(
        "--train-steps",
        type=_steps,
        default=0,
        metavar="N",
        help="with --screenshot: train N steps (mini-batches) first",
    )
    p.add_argument(
        "--size",
        type=_size,
        default=(1600, 1000),
        metavar="WxH",
        help="with --screenshot: image size in pixels (default 1600x1000)",
    )
    p.add_argument(
        "--lesson",
        metavar="NAME",
        help="open a lesson (dlviz lessons lists them); with --screenshot, its step after set-up",
    )
    p.add_argument(
        "--lesson-step",
        type=_steps,
        default=None,
        metavar="K",
        help="with --lesson: open at step K (1 = the first)",
    )
    p.add_argument(
        "--lang",
        type=_language,
        default=None,
        metavar="LANG",
        help="language: en or zh_CN (default: View ▸ Language's choice, else the system's)",
    )
    p.add_argument(
        "--view",
        choices=tuple(VIEWS),
        metavar="NAME",
        help=f"with --screenshot: render one view alone: {', '.join(VIEWS)}",
    )
    return p


def freeze_startup_objects() -> None:
    """Take what start-up built (modules, the window, its widgets) out of the collector's view.

    Qt and pyqtgraph leave hundreds of thousands of long-lived objects; every
    full collection walked them all (about 100 ms, a visible stall while
    training).  Frozen, a full collection sees only what came since.
    """
    gc.collect()
    gc.freeze()


def _extras_arrived(window) -> bool:
    """The newest snapshot carries what the shown views asked the worker for."""
    snap = window.session.latest
    wanted = window.requested_extras
    if snap is None:
        return False
    if "hidden" in wanted and snap.hidden is None:
        return False
    if "gallery" in wanted and snap.gallery is None:
        return False
    return "neuron_grid" not in wanted or snap.neuron_grids is not None


def _hidden_layers(args: argparse.Namespace):
    from dlviz.core.network import parse_hidden

    if args.hidden is None:
        return None
    return parse_hidden(args.hidden, args.activation)


#: Image formats Qt writes from a file name's suffix in every build.
SCREENSHOT_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp")


def _check_screenshot_path(path: str) -> None:
    """Refuse a screenshot name that cannot be written before training, not after it."""
    from dlviz.core.fileio import check_writable

    if not path.lower().endswith(SCREENSHOT_SUFFIXES):
        raise DlvizError(
            f"--screenshot {path}: name an image ending in {', '.join(SCREENSHOT_SUFFIXES)}"
        )
    check_writable(path, "--screenshot")


def _lesson(args: argparse.Namespace):
    """The lesson ``--lesson`` names, checked now: a mistake is one line and status 2."""
    if args.lesson is None:
        if args.lesson_step is not None:
            raise DlvizError("--lesson-step needs --lesson NAME (see dlviz lessons)")
        return None
    from dlviz.core.lessons import load_lesson

    try:
        lesson = load_lesson(args.lesson)
        if args.lesson_step is not None:
            lesson.setup_at(args.lesson_step - 1)  # raises, naming the steps there are
    except DlvizError as exc:
        raise DlvizError(f"--lesson {args.lesson}: {exc}") from None
    return lesson


def _image_folder(args: argparse.Namespace) -> str | None:
    """The folder of images ``dlviz DIR`` names, checked now (a file in it is read later)."""
    from dlviz.core.images import IMAGE_PRESETS, is_idx_folder, is_png_folder

    folder = args.data if args.data and os.path.isdir(args.data) else None
    preset = IMAGE_PRESETS.get(args.preset or "")
    if folder is None:
        if preset is not None and not preset.builtin:
            raise DlvizError(
                f"--preset {args.preset} needs its images: dlviz FOLDER --preset {args.preset} "
                "(a folder of MNIST's IDX files)"
            )
        return None
    if not (is_idx_folder(folder) or is_png_folder(folder)):
        raise DlvizError(
            f"{folder} holds neither MNIST IDX files (train-images-idx3-ubyte[.gz]) nor class "
            "folders 0/ to 9/ of PNG images"
        )
    if args.preset and (preset is None or preset.builtin):
        raise DlvizError(
            f"--preset {args.preset} brings its own data; leave it out to open {folder}"
        )
    return folder


def _initial_data(args: argparse.Namespace):
    from dlviz.core.data import make_dataset, read_csv
    from dlviz.core.images import IMAGE_PRESETS
    from dlviz.ui.session import DataSettings

    if args.data:
        if args.data.lower().endswith(".dlviz") or os.path.isdir(args.data):
            return DataSettings()  # the project or the images replace it once the window is up
        if not args.data.lower().endswith(".csv"):
            raise DlvizError(
                f"cannot open {args.data}: dlviz opens projects (.dlviz), .csv data files "
                "(x1,x2,label | x1,x2,value | x,y) and folders of images"
            )
        return read_csv(args.data)
    settings = DataSettings()
    if args.preset in IMAGE_PRESETS:
        return settings  # the preset's images and network come once the window is up
    if args.preset:
        settings = DataSettings(preset=args.preset, classes=args.classes or 2)
    elif args.classes:
        settings = DataSettings(classes=args.classes)
    make_dataset(settings.preset, classes=settings.classes)  # check now: DlvizError if impossible
    return settings


def _application(offscreen: bool):
    if offscreen and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
            Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
        )
        app = QApplication(sys.argv[:1])
    app.setApplicationName("dlviz")
    app.setOrganizationName("dlviz")
    app.setApplicationDisplayName("dlviz")
    app.setDesktopFileName("dlviz")
    return app


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        args = make_parser().parse_args(args_list)
        if args.screenshot is not None:
            _check_screenshot_path(args.screenshot)
        folder = _image_folder(args)
        data = _initial_data(args)
        hidden = _hidden_layers(args)
        project = None
        if args.data and args.data.lower().endswith(".dlviz"):
            from dlviz.core.project import load_project

            project = load_project(args.data)  # a bad file: the message, status 2
        images = None
        if folder is not None and args.screenshot:
            from dlviz.core.images import read_image_folder

            images = read_image_folder(folder)  # a screenshot trains on it at once
        lesson = _lesson(args)
    except DlvizError as exc:
        print(f"dlviz: {exc}", file=sys.stderr)  # the one place launch errors get the prefix
        return 2
    from dlviz.ui.threads import apply_thread_policy, collect_on_gui_thread

    apply_thread_policy()
    app = _application(offscreen=bool(args.screenshot))
    collect_on_gui_thread(app)  # Qt objects in cycles are destroyed on the GUI thread alone
    from dlviz.ui import i18n

    # before any widget exists: every text is translated as it is made
    i18n.install(i18n.preferred_language(args.lang))
    from dlviz.ui import icons
    from dlviz.ui.main_window import MainWindow
    from dlviz.ui.theme import DARK, LIGHT, Scale, apply_to_app

    app.setWindowIcon(icons.app_icon())
    apply_to_app(app, DARK if args.dark else LIGHT, Scale())
    window = MainWindow(data=data, restore_layout=not args.screenshot, hidden=hidden)
    if project is not None:
        window.project.adopt(args.data, *project)
    _open_images(window, args, folder, images)
    if args.dark:
        window.actions["dark"].setChecked(True)
    if args.gradients:
        window.views["network"].gradients.setChecked(True)
    if lesson is not None:
        from dlviz.core.lessons import load_lesson

        try:  # again, now that the window's views, panels and controls can be named
            lesson = load_lesson(args.lesson, window.lessons.names())
        except DlvizError as exc:
            print(f"dlviz: --lesson {args.lesson}: {exc}", file=sys.stderr)
            window.close()
            window.deleteLater()
            return 2
        window.lessons.open(lesson, (args.lesson_step or 1) - 1)
    if args.screenshot:
        return screenshot(window, args)
    if args.presentation:
        window.actions["presentation"].setChecked(True)
    else:
        window.show()
    window.project.ask_on_close = True
    # every window autosaves to a slot of its own; only a plain start offers what crashed
    # sessions left (a start with a project or CSV keeps them for the next plain start)
    window.autosave.start(offer_restore=not args.data)
    if args.play:
        window.play()
    freeze_startup_objects()
    return app.exec()


def _open_images(window, args: argparse.Namespace, folder: str | None, images) -> None:
    """``dlviz FOLDER`` (read before a screenshot, in the background in the app) and the
    image presets of ``--preset``."""
    from dlviz.core.images import IMAGE_PRESETS

    preset = args.preset if args.preset in IMAGE_PRESETS else None
    if images is not None:
        if preset is not None:
            window.project.start_image_preset(preset, images, None)
        else:
            window.session.replace_dataset(images, undoable=False)
    elif folder is not None:
        window.project.open_image_data(folder, preset=preset)
    elif preset is not None:
        window.project.use_image_preset(preset)


def screenshot(window, args: argparse.Namespace) -> int:
    """Train ``--train-steps`` steps, draw the newest snapshot, save the window (or one view)."""
    from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from dlviz.ui.views import VIEWS

    app = QApplication.instance()
    width, height = args.size
    if args.presentation:
        window.actions["presentation"].setChecked(True)
        window.showNormal()  # a screenshot has the size asked for, not the screen's
    window.resize(width, height)
    window.show()
    standalone = None
    if args.view:
        # made before training, so the snapshots carry what it draws (neuron grids...)
        standalone = VIEWS[args.view](window.session)
        standalone.setWindowTitle(f"dlviz — {standalone.display_title()}")
        standalone.resize(width, height)
        window.extra_views.append(standalone)
        if args.gradients and hasattr(standalone, "gradients"):
            standalone.gradients.setChecked(True)
        standalone.show()  # on screen while training: it follows the run as a dock would
        window.draw_frame()
    errors: list[str] = []
    done: list[int] = []
    window.worker.failed.connect(lambda message, details: errors.append(message))
    window.worker.steps_done.connect(done.append)
    window.worker.train_steps(args.train_steps)
    clock = QElapsedTimer()
    clock.start()
    while not done and not errors and clock.elapsed() < SCREENSHOT_TIMEOUT_S * 1000:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
    message_box = window.message_box()
    if message_box is not None:
        message_box.close()
    if errors or not done:
        print(
            f"dlviz: screenshot failed: {errors[0] if errors else 'training timed out'}",
            file=sys.stderr,
        )
        window.close()
        window.deleteLater()
        return 1
    # let the last snapshot arrive, with what the views asked for, and be drawn
    settle = QElapsedTimer()
    settle.start()
    while settle.elapsed() < 300 or (
        not _extras_arrived(window) and settle.elapsed() < SETTLE_TIMEOUT_MS
    ):
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
    window.draw_frame()
    target = window
    if standalone is not None:
        app.processEvents()
        standalone.invalidate()
        standalone.refresh()
        standalone.prepare_screenshot()
        # a view that computes in the background (a landscape, a race) finishes first
        while not standalone.ready() and settle.elapsed() < SCREENSHOT_TIMEOUT_S * 1000:
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        target = standalone
    for _ in range(5):
        app.processEvents()
    QTimer.singleShot(0, lambda: None)
    image = target.grab()
    ok = image.save(args.screenshot)
    if standalone is not None:
        standalone.shutdown()
        standalone.close()
        standalone.deleteLater()
    window.close()
    window.deleteLater()
    app.processEvents()
    if not ok:
        print(f"dlviz: cannot write {args.screenshot}", file=sys.stderr)
        return 2
    print(f"wrote {args.screenshot} ({image.width()}x{image.height()}, step {done[0]})")
    return 0
