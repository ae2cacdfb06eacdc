"""Every command a user can give from the menus, the toolbar or a key, declared once.

:data:`ACTIONS` is the table: each :class:`ActionSpec` names an action and
gives its text, keys, tooltip, glyph, the menu it sits in (in table order,
with a separator where ``section`` changes) and its toolbar group.
:data:`SUBMENUS` places the menus the window fills itself (recent files,
view images, panels).  :func:`make_actions` builds the ``QAction``\\ s and
connects each to its slot; :func:`fill_menu_bar`, :func:`fill_toolbar` and
:func:`shortcut_rows` (the F1 list) read the same table, so a new action is
one row here plus one slot.

The table's texts are English, marked with ``QT_TRANSLATE_NOOP`` in the
context ``actions`` for lupdate; they are translated where the ``QAction``\\ s
and menus are made (:func:`set_texts`), in the language installed then.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMenuBar, QToolBar, QWidget

from dlviz.ui import icons
from dlviz.ui.i18n import LANGUAGES, translate

Key = str | QKeySequence.StandardKey
#: A translation's accelerator in brackets after the text (Chinese: "文件(&F)").
ACCELERATOR = re.compile(r"\(&.\)")


@dataclass(frozen=True)
class ActionSpec:
    name: str
    text: str
    keys: tuple[Key, ...] = ()
    tip: str = ""
    glyph: str | None = None  # an icon from dlviz.ui.icons, tinted with the theme
    checkable: bool = False
    short: str = ""  # the toolbar's text when it differs from the menu's
    menu: str = ""  # "file", "edit", "edit/classes", "view", "train", "help" ("": none)
    section: int = 0  # a separator goes between two sections of one menu
    toolbar: int | None = None  # toolbar group (separators between groups)
    checked: bool = False  # initially (checkable actions)
    #: A checkable action whose slot hears only the user's pick (``triggered``), not the
    #: check mark the window sets to follow the state (``toggled``).
    picked_only: bool = False
    number: int = 0  # formatted into the text's ``{n}`` (the paint classes)
    #: Shown as it is, never translated (a language's name in that language).
    literal: bool = False


@dataclass(frozen=True)
class SubMenu:
    """A menu the window fills (``name`` is its object name without ``menu-``)."""

    name: str
    text: str
    menu: str
    after: str  # the action (or submenu) it follows
    separator: bool = False  # a separator before it


MENUS = (
    ("file", QT_TRANSLATE_NOOP("actions", "&File")),
    ("edit", QT_TRANSLATE_NOOP("actions", "&Edit")),
    ("view", QT_TRANSLATE_NOOP("actions", "&View")),
    ("train", QT_TRANSLATE_NOOP("actions", "&Train")),
    ("help", QT_TRANSLATE_NOOP("actions", "&Help")),
)

_STD = QKeySequence.StandardKey
#: Train ▸ Engine: what the user may choose (core/engines.py), in menu order.
ENGINE_MENU = {
    "auto": QT_TRANSLATE_NOOP("actions", "&Automatic (CUDA where faster, else CPU)"),
    "cpu": QT_TRANSLATE_NOOP("actions", "&CPU (Numba)"),
    "cuda": QT_TRANSLATE_NOOP("actions", "C&UDA (GPU)"),
    "reference": QT_TRANSLATE_NOOP("actions", "&NumPy reference (slow, readable)"),
}

ACTIONS: tuple[ActionSpec, ...] = (
    # File
    ActionSpec(
        "new",
        QT_TRANSLATE_NOOP("actions", "&New"),
        (_STD.New,),
        tip=QT_TRANSLATE_NOOP("actions", "Start afresh"),
        menu="file",
    ),
    ActionSpec(
        "open",
        QT_TRANSLATE_NOOP("actions", "&Open…"),
        (_STD.Open,),
        tip=QT_TRANSLATE_NOOP("actions", "Open a project (.dlviz) or data (.csv)"),
        menu="file",
    ),
    ActionSpec("save", QT_TRANSLATE_NOOP("actions", "&Save"), (_STD.Save,), menu="file"),
    ActionSpec(
        "save_as",
        QT_TRANSLATE_NOOP("actions", "Save &as…"),
        ("Ctrl+Shift+S",),
        tip=QT_TRANSLATE_NOOP(
            "actions", "Save the whole session: data, network, settings, weights, history"
        ),
        menu="file",
    ),
    ActionSpec(
        "export_weights",
        QT_TRANSLATE_NOOP("actions", "Export &weights…"),
        tip=QT_TRANSLATE_NOOP(
            "actions", "Write the model as .npz, .json, .safetensors, .onnx or Python code"
        ),
        menu="file",
        section=1,
    ),
    ActionSpec(
        "import_weights",
        QT_TRANSLATE_NOOP("actions", "&Import weights…"),
        tip=QT_TRANSLATE_NOOP(
            "actions", "Load weights (.npz, .json, .safetensors) into the current network"
        ),
        menu="file",
        section=1,
    ),
    ActionSpec(
        "open_csv",
        QT_TRANSLATE_NOOP("actions", "Import &data (CSV)…"),
        tip=QT_TRANSLATE_NOOP(
            "actions", "Load points from a CSV file (x1,x2,label | x1,x2,value | x,y)"
        ),
        menu="file",
        section=2,
    ),
    ActionSpec(
        "open_images",
        QT_TRANSLATE_NOOP("actions", "Open &image data…"),
        tip=QT_TRANSLATE_NOOP(
            "actions",
            "Load images from a folder: MNIST's IDX files (train-images-idx3-ubyte[.gz]…) "
            "or class folders 0/ to 9/ of PNG images",
        ),
        menu="file",
        section=2,
    ),
    ActionSpec(
        "save_csv",
        QT_TRANSLATE_NOOP("actions", "&Export data (CSV)…"),
        ("Ctrl+Shift+E",),
        tip=QT_TRANSLATE_NOOP("actions", "Write the points to a CSV file"),
        menu="file",
        section=2,
    ),
    ActionSpec(
        "export_image",
        QT_TRANSLATE_NOOP("actions", "Export window &image…"),
        ("Ctrl+E",),
        tip=QT_TRANSLATE_NOOP("actions", "Save a picture of the window (PNG or SVG)"),
        menu="file",
        section=2,
    ),
    ActionSpec(
        "export_gif",
        QT_TRANSLATE_NOOP("actions", "Export training &GIF…"),
        tip=QT_TRANSLATE_NOOP(
            "actions", "Animate the decision boundary and loss over the timeline"
        ),
        menu="file",
        section=2,
    ),
    ActionSpec("quit", QT_TRANSLATE_NOOP("actions", "&Quit"), (_STD.Quit,), menu="file", section=3),
    # Edit
    ActionSpec("undo", QT_TRANSLATE_NOOP("actions", "&Undo point edit"), (_STD.Undo,), menu="edit"),
    ActionSpec(
        "redo",
        QT_TRANSLATE_NOOP("actions", "&Redo point edit"),
        ("Ctrl+Shift+Z", "Ctrl+Y"),
        menu="edit",
    ),
    ActionSpec(
        "paint",
        QT_TRANSLATE_NOOP("actions", "&Paint points"),
        ("B",),
        tip=QT_TRANSLATE_NOOP("actions", "Paint: click or drag to add points; right-drag erases"),
        glyph="brush",
        checkable=True,
        short=QT_TRANSLATE_NOOP("actions", "Paint"),
        menu="edit",
        section=1,
        toolbar=2,
        checked=True,
    ),
    ActionSpec(
        "erase",
        QT_TRANSLATE_NOOP("actions", "&Eraser"),
        ("E",),
        tip=QT_TRANSLATE_NOOP("actions", "Eraser: click or drag to remove points"),
        glyph="eraser",
        checkable=True,
        menu="edit",
        section=1,
        toolbar=2,
    ),
    ActionSpec(
        "move",
        QT_TRANSLATE_NOOP("actions", "&Move points"),
        ("M",),
        tip=QT_TRANSLATE_NOOP("actions", "Move: drag a point (Shift+drag works with any tool)"),
        glyph="move",
        checkable=True,
        short=QT_TRANSLATE_NOOP("actions", "Move"),
        menu="edit",
        section=1,
        toolbar=2,
    ),
    *(
        ActionSpec(
            f"class{i}",
            QT_TRANSLATE_NOOP("actions", "Class &{n}"),
            (str(i),),
            menu="edit/classes",
            number=i,
        )
        for i in range(1, 9)
    ),
    ActionSpec(
        "regenerate",
        QT_TRANSLATE_NOOP("actions", "Re&generate data"),
        ("Ctrl+G",),
        tip=QT_TRANSLATE_NOOP("actions", "New random points from the same preset"),
        glyph="regenerate",
        short=QT_TRANSLATE_NOOP("actions", "Regenerate"),
        menu="edit",
        section=2,
        toolbar=3,
    ),
    ActionSpec(
        "clear",
        QT_TRANSLATE_NOOP("actions", "&Clear points"),
        ("Ctrl+K",),
        tip=QT_TRANSLATE_NOOP("actions", "Remove every point"),
        glyph="clear",
        short=QT_TRANSLATE_NOOP("actions", "Clear"),
        menu="edit",
        section=2,
        toolbar=3,
    ),
    ActionSpec(
        "add_layer",
        QT_TRANSLATE_NOOP("actions", "&Add hidden layer"),
        ("Ctrl+L",),
        menu="edit",
        section=3,
    ),
    ActionSpec(
        "remove_layer",
        QT_TRANSLATE_NOOP("actions", "Remo&ve last hidden layer"),
        ("Ctrl+Shift+L",),
        menu="edit",
        section=3,
    ),
    # View
    ActionSpec(
        "show_test",
        QT_TRANSLATE_NOOP("actions", "Show &test data"),
        ("T",),
        checkable=True,
        menu="view",
        section=1,
        checked=True,
    ),
    ActionSpec(
        "discrete",
        QT_TRANSLATE_NOOP("actions", "&Discretise output"),
        ("D",),
        checkable=True,
        menu="view",
        section=1,
    ),
    ActionSpec(
        "log_loss",
        QT_TRANSLATE_NOOP("actions", "&Log-scale loss"),
        ("L",),
        checkable=True,
        menu="view",
        section=1,
    ),
    ActionSpec(
        "dark",
        QT_TRANSLATE_NOOP("actions", "Dar&k theme"),
        ("Ctrl+Shift+T",),
        checkable=True,
        menu="view",
        section=2,
    ),
    ActionSpec(
        "presentation",
        QT_TRANSLATE_NOOP("actions", "&Presentation mode"),
        ("F11",),
        tip=QT_TRANSLATE_NOOP("actions", "Full screen with large type"),
        glyph="screen",
        checkable=True,
        short=QT_TRANSLATE_NOOP("actions", "Present"),
        menu="view",
        section=2,
        toolbar=4,
    ),
    ActionSpec(
        "controls",
        QT_TRANSLATE_NOOP("actions", "Show the &controls"),
        ("F10",),
        tip=QT_TRANSLATE_NOOP(
            "actions", "Show or hide the Data, Network, Training and Timeline panels"
        ),
        checkable=True,
        short=QT_TRANSLATE_NOOP("actions", "Controls"),
        menu="view",
        section=2,
        checked=True,
    ),
    ActionSpec(
        "reset_layout", QT_TRANSLATE_NOOP("actions", "&Reset layout"), menu="view", section=2
    ),
    # View ▸ Language: each language's name in that language, so anyone finds their own
    *(
        ActionSpec(
            f"lang_{code}",
            name,
            checkable=True,
            menu="view/language",
            picked_only=True,
            literal=True,
        )
        for code, name in LANGUAGES.items()
    ),
    # Train
    ActionSpec(
        "play",
        QT_TRANSLATE_NOOP("actions", "&Play"),
        ("Space",),
        tip=QT_TRANSLATE_NOOP("actions", "Play / pause training"),
        glyph="play",
        checkable=True,
        menu="train",
        toolbar=0,
    ),
    ActionSpec(
        "step",
        QT_TRANSLATE_NOOP("actions", "Step &batch"),
        ("N",),
        tip=QT_TRANSLATE_NOOP("actions", "Train one mini-batch"),
        glyph="step",
        short=QT_TRANSLATE_NOOP("actions", "Step"),
        menu="train",
        toolbar=0,
    ),
    ActionSpec(
        "epoch",
        QT_TRANSLATE_NOOP("actions", "Step &epoch"),
        ("Shift+N",),
        tip=QT_TRANSLATE_NOOP("actions", "Train to the end of the epoch"),
        glyph="epoch",
        short=QT_TRANSLATE_NOOP("actions", "Epoch"),
        menu="train",
        toolbar=0,
    ),
    ActionSpec(
        "reset",
        QT_TRANSLATE_NOOP("actions", "&Reset"),
        ("Ctrl+R",),
        tip=QT_TRANSLATE_NOOP("actions", "Start again from the same initial weights (same seed)"),
        glyph="reset",
        menu="train",
        section=1,
        toolbar=0,
    ),
    ActionSpec(
        "reinit",
        QT_TRANSLATE_NOOP("actions", "Re-&initialise"),
        ("Ctrl+Shift+R",),
        tip=QT_TRANSLATE_NOOP("actions", "Start again from new random weights (new seed)"),
        glyph="dice",
        short=QT_TRANSLATE_NOOP("actions", "Re-init"),
        menu="train",
        section=1,
        toolbar=0,
    ),
    ActionSpec(
        "slower",
        QT_TRANSLATE_NOOP("actions", "&Slower"),
        ("[",),
        tip=QT_TRANSLATE_NOOP("actions", "Slow training down"),
        glyph="slower",
        menu="train",
        section=2,
        toolbar=1,
    ),
    ActionSpec(
        "faster",
        QT_TRANSLATE_NOOP("actions", "&Faster"),
        ("]",),
        tip=QT_TRANSLATE_NOOP("actions", "Speed training up"),
        glyph="faster",
        menu="train",
        section=2,
        toolbar=1,
    ),
    ActionSpec(
        "max_speed",
        QT_TRANSLATE_NOOP("actions", "&Maximum speed"),
        ("Ctrl+]",),
        tip=QT_TRANSLATE_NOOP(
            "actions", "Train as fast as the machine goes; click again for the pace before"
        ),
        checkable=True,
        short=QT_TRANSLATE_NOOP("actions", "Max"),
        menu="train",
        section=2,
        toolbar=1,
    ),
    ActionSpec(
        "lower_lr",
        QT_TRANSLATE_NOOP("actions", "&Lower learning rate ÷10"),
        ("Ctrl+Down",),
        menu="train",
        section=2,
    ),
    *(
        ActionSpec(
            f"engine_{choice}",
            text,
            checkable=True,
            menu="train/engine",
            checked=choice == "cpu",
            picked_only=True,
        )
        for choice, text in ENGINE_MENU.items()
    ),
    # Help
    ActionSpec(
        "shortcuts", QT_TRANSLATE_NOOP("actions", "&Keyboard shortcuts"), ("F1",), menu="help"
    ),
    ActionSpec("about", QT_TRANSLATE_NOOP("actions", "&About dlviz"), menu="help"),
)

SUBMENUS: tuple[SubMenu, ...] = (
    SubMenu("recent", QT_TRANSLATE_NOOP("actions", "Open &recent"), "file", after="open"),
    SubMenu("classes", QT_TRANSLATE_NOOP("actions", "Paint &class"), "edit", after="move"),
    SubMenu(
        "view-image",
        QT_TRANSLATE_NOOP("actions", "Export &view image"),
        "file",
        after="export_image",
    ),
    SubMenu(
        "copy-view",
        QT_TRANSLATE_NOOP("actions", "&Copy view to clipboard"),
        "file",
        after="view-image",
    ),
    SubMenu("panels", QT_TRANSLATE_NOOP("actions", "&Panels and views"), "view", after=""),
    SubMenu("language", QT_TRANSLATE_NOOP("actions", "&Language"), "view", after="reset_layout"),
    SubMenu(
        "engine", QT_TRANSLATE_NOOP("actions", "&Engine"), "train", after="lower_lr", separator=True
    ),
    # filled by ui/lessons.py
    SubMenu("lessons", QT_TRANSLATE_NOOP("actions", "&Lessons"), "help", after=""),
)
#: The toolbar of presentation mode: the transport, the pace, and the way back to the rest.
STAGE_TOOLBAR = (
    ("play", "step", "reset"),
    ("slower", "faster", "max_speed"),
    ("controls", "presentation"),
)
#: Actions of which one is checked at a time.
EXCLUSIVE = (
    ("paint", "erase", "move"),
    tuple(f"engine_{c}" for c in ENGINE_MENU),
    tuple(f"lang_{c}" for c in LANGUAGES),
)
#: Keys the F1 list names that are not actions (the canvas's mouse gestures).
EXTRA_KEYS = (
    ("1 – 8", QT_TRANSLATE_NOOP("actions", "Paint class 1 to 8")),
    (QT_TRANSLATE_NOOP("actions", "Right-drag"), QT_TRANSLATE_NOOP("actions", "Erase points")),
    (QT_TRANSLATE_NOOP("actions", "Shift+drag"), QT_TRANSLATE_NOOP("actions", "Move a point")),
)


def make_actions(parent: QWidget, slots: Mapping[str, Callable[..., Any]]) -> dict[str, QAction]:
    """One ``QAction`` per row of :data:`ACTIONS`, on ``parent`` (so keys work everywhere).

    ``slots[name]`` is called with ``triggered`` (``toggled(on)`` for a
    checkable action).  Every action must have one: a row without a slot is
    a menu entry that does nothing.
    """
    from PySide6.QtGui import QActionGroup

    missing = [spec.name for spec in ACTIONS if spec.name not in slots]
    if missing:
        raise KeyError(f"actions without a slot: {missing}")
    actions: dict[str, QAction] = {}
    for spec in ACTIONS:
        action = QAction(parent)
        action.setObjectName(f"action-{spec.name}")
        if spec.keys:
            action.setShortcuts([QKeySequence(key) for key in spec.keys])
        set_texts(action, spec)
        action.setCheckable(spec.checkable)
        action.setChecked(spec.checked)
        action.setData(spec.glyph)
        slot = slots[spec.name]
        toggles = spec.checkable and not spec.picked_only
        (action.toggled if toggles else action.triggered).connect(slot)
        parent.addAction(action)  # shortcuts work even when the menu bar is hidden (fullscreen)
        actions[spec.name] = action
    for names in EXCLUSIVE:
        group = QActionGroup(parent)
        group.setExclusive(True)
        for name in names:
            group.addAction(actions[name])
    return actions


def _text(spec: ActionSpec) -> str:
    if spec.literal:
        return spec.text
    text = translate("actions", spec.text)
    return text.format(n=spec.number) if spec.number else text


def set_texts(action: QAction, spec: ActionSpec) -> None:
    """The action's texts in the app's language (its text, tooltip, status tip, toolbar text)."""
    action.setText(_text(spec))
    if spec.tip:
        tip = translate("actions", spec.tip)
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        action.setToolTip(f"{tip} ({keys})" if keys else tip)
        action.setStatusTip(tip)
    # buttons show the short text; a translation's "(&P)" accelerator mark has no place there
    short = translate("actions", spec.short) if spec.short else action.text()
    action.setIconText(plain(short))


def plain(text: str) -> str:
    """A menu text as a button shows it: no accelerator mark, no trailing "…"."""
    return ACCELERATOR.sub("", text).replace("&", "").removesuffix("…")


def fill_menu_bar(bar: QMenuBar, actions: Mapping[str, QAction]) -> dict[str, QMenu]:
    """The menus in table order; returns every menu and submenu by name."""
    menus: dict[str, QMenu] = {}
    for name, title in MENUS:
        menu = bar.addMenu(translate("actions", title))
        menu.setObjectName(f"menu-{name}")
        menus[name] = menu
    # by menu and place: two menus may each open with a submenu (after "")
    subs = {(sub.menu, sub.after): sub for sub in SUBMENUS}

    def add_submenus_after(name: str, parent: QMenu) -> bool:
        sub = subs.get((parent.objectName().removeprefix("menu-"), name))
        if sub is None:
            return False
        if sub.separator:
            parent.addSeparator()
        menu = parent.addMenu(translate("actions", sub.text))
        menu.setObjectName(f"menu-{sub.name}")
        menus[sub.name] = menu
        add_submenus_after(sub.name, parent)
        return True

    last_section: dict[str, int] = {}
    for name, _ in MENUS:
        if add_submenus_after("", menus[name]):  # a submenu that opens its menu
            last_section[name] = -1  # its own section: a separator follows it
    for spec in ACTIONS:
        if not spec.menu:
            continue
        if "/" in spec.menu:
            menus[spec.menu.split("/")[1]].addAction(actions[spec.name])
            continue
        menu = menus[spec.menu]
        if spec.menu in last_section and last_section[spec.menu] != spec.section:
            menu.addSeparator()
        last_section[spec.menu] = spec.section
        menu.addAction(actions[spec.name])
        add_submenus_after(spec.name, menu)
    return menus


def fill_toolbar(bar: QToolBar, actions: Mapping[str, QAction]) -> None:
    """The toolbar's groups in order, each in table order, separated."""
    groups = sorted({spec.toolbar for spec in ACTIONS if spec.toolbar is not None})
    for i, group in enumerate(groups):
        if i:
            bar.addSeparator()
        for spec in ACTIONS:
            if spec.toolbar == group:
                bar.addAction(actions[spec.name])


def fill_stage_toolbar(bar: QToolBar, actions: Mapping[str, QAction]) -> None:
    """Presentation mode's toolbar: :data:`STAGE_TOOLBAR`'s groups, separated."""
    for i, group in enumerate(STAGE_TOOLBAR):
        if i:
            bar.addSeparator()
        for name in group:
            bar.addAction(actions[name])


def shortcut_rows(actions: Mapping[str, QAction]) -> list[tuple[str, str]]:
    """(keys, what they do) for the F1 list: every action with a key, then the mouse."""
    extra = [(translate("actions", k), translate("actions", w)) for k, w in EXTRA_KEYS]
    rows = [extra[0]]
    for spec in ACTIONS:
        if spec.menu == "edit/classes":
            continue  # one row for all eight: "1 – 8"
        action = actions[spec.name]
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        if keys:
            rows.append((keys, plain(action.text())))
    rows.extend(extra[1:])
    return rows


def tint(actions: Mapping[str, QAction], color: str) -> None:
    """Draw every action's glyph in the theme's text colour."""
    for action in actions.values():
        glyph = action.data()
        if glyph:
            action.setIcon(icons.icon(glyph, color))
