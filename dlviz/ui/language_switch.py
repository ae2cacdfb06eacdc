"""View ▸ Language at run time: the window is rebuilt in the new language, the work kept.

Every text is translated when its widget is made, so a new language means a
new window (rather than a ``retranslate()`` in each of the many widgets,
which would have to repeat every text they set).  What the user has is
carried over, the same way an opened project is: the trainer itself (data,
network, weights, optimizer state, history, seed; its thread is stopped
first, so nobody else touches it), the panels' extra fields, the file name
and its unsaved mark, the dock layout and window geometry, the theme,
presentation mode, the view options, and whether it was playing.  What is
not carried: the timeline's past points (as after opening a project) and the
undo list of point edits.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from PySide6.QtWidgets import QApplication

from dlviz.ui import i18n
from dlviz.ui.i18n import translate

#: The windows a switch made (a window without a Python owner would be collected).
_alive: list[Any] = []


def switch_language(old: Any, language: str) -> Any:
    """Install ``language``, remember it, and put a window in that language in ``old``'s place.

    ``old`` is a :class:`~dlviz.ui.main_window.MainWindow` (the new one is of
    its class: this module does not import the window's, which calls it).
    Returns the new window, or None when nothing changed (the same language,
    or a file being written: then the user is told to wait).
    """

    if language == i18n.current_language():
        return None
    if old.project.busy() or old.autosave.busy() or old.images.gif_job is not None:
        old.notifier.status(
            translate("MainWindow", "a file is being written: choose the language again after it")
        )
        old.sync_language_menu()
        return None
    i18n.save_language(language)
    playing = old.state == "playing"
    old.worker.stop()
    trainer = old.worker.trainer
    ui = old.project.ui_state()
    path, modified = old.project.path, old.project.modified
    geometry, state = old.saveGeometry(), old.saveState()
    options = asdict(old.session.options)
    dark = old.actions["dark"].isChecked()
    presentation = old.actions["presentation"].isChecked()
    data = trainer.dataset.copy() if trainer is not None else old.session.dataset.copy()
    autosave_dir = old.autosave.directory

    i18n.install(language)
    new = type(old)(data=data, restore_layout=False, hidden=old.network_panel.hidden())
    panel = old.lessons.panel
    if panel is not None:
        # the lesson at its step, in the new language; its set-up is applied here and then
        # replaced by the carried run below (what the user did since the step began stays)
        new.lessons.open(panel.lesson, panel.index)
    new.restoreGeometry(geometry)
    new.restoreState(state)
    new.session.set_options(**options)
    new.actions["dark"].setChecked(dark)
    if trainer is not None:
        new.project.restore(trainer, ui)  # the stopped worker's trainer trains on here
    new.project.path = path
    new.project.set_modified(modified)
    new.project.update_title()
    new.project.ask_on_close = old.project.ask_on_close
    if old in _alive:
        _alive.remove(old)
    _alive.append(new)

    old.project.ask_on_close = False  # its work lives on in the new window
    old.close()
    old.deleteLater()
    if presentation:
        new.actions["presentation"].setChecked(True)
    else:
        new.show()
    if autosave_dir is not None:
        new.autosave.start(offer_restore=False, directory=autosave_dir)
    if playing:
        new.play()
    app = QApplication.instance()
    if app is not None:
        app.processEvents()
    return new
