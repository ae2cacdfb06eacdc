"""Every command a user can give from the menus, the toolbar or a key, declared once.

:data:`ACTIONS` is the table: each :class:`ActionSpec` names an action and
gives its text, keys, tooltip, glyph, the menu it sits in (in table order,
with a separator where ``section`` changes) and its toolbar group.
:data:`SUBMENUS` places the menus the window fills itself (recent files,
view images, panels).  :func:`make_actions` builds the ``QAction``\\ s and
connects each to its slot; :func:`fill_menu_bar`, :func:`fill_toolbar` and
:func:`shortcut_rows` (the F1 list) read the same table, so a new action is
one row here plus one slot.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMenuBar, QToolBar, QWidget

from dlviz.ui import icons

Key = str | QKeySequence.StandardKey


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


@dataclass(frozen=True)
class SubMenu:
    """A menu the window fills (``name`` is its object name without ``menu-``)."""

    name: str
    text: str
    menu: str
    after: str  # the action (or submenu) it follows
    separator: bool = False  # a separator before it


MENUS = (
    ("file", "&File"),
    ("edit", "&Edit"),
    ("view", "&View"),
    ("train", "&Train"),
    ("help", "&Help"),
)

_STD = QKeySequence.StandardKey
#: Train ▸ Engine: what the user may choose (core/engines.py), in menu order.
ENGINE_MENU = {
    "auto": "&Automatic (CUDA where faster, else CPU)",
    "cpu": "&CPU (Numba)",
    "cuda": "C&UDA (GPU)",
    "reference": "&NumPy reference (slow, readable)",
}

ACTIONS: tuple[ActionSpec, ...] = (
    # File
    ActionSpec("new", "&New", (_STD.New,), tip="Start afresh", menu="file"),
    ActionSpec(
        "open",
        "&Open…",
        (_STD.Open,),
        tip="Open a project (.dlviz) or data (.csv)",
        menu="file",
    ),
    ActionSpec("save", "&Save", (_STD.Save,), menu="file"),
    ActionSpec(
        "save_as",
        "Save &as…",
        ("Ctrl+Shift+S",),
        tip="Save the whole session: data, network, settings, weights, history",
        menu="file",
    ),
    ActionSpec(
        "export_weights",
        "Export &weights…",
        tip="Write the model as .npz, .json, .safetensors, .onnx or Python code",
        menu="file",
        section=1,
    ),
    ActionSpec(
        "import_weights",
        "&Import weights…",
        tip="Load weights (.npz, .json, .safetensors) into the current network",
        menu="file",
        section=1,
    ),
    ActionSpec(
        "open_csv",
        "Import &data (CSV)…",
        tip="Load points from a CSV file (x1,x2,label | x1,x2,value | x,y)",
        menu="file",
        section=2,
    ),
    ActionSpec(
        "save_csv",
        "&Export data (CSV)…",
        ("Ctrl+Shift+E",),
        tip="Write the points to a CSV file",
        menu="file",
        section=2,
    ),
    ActionSpec(
        "export_image",
        "Export window &image…",
        ("Ctrl+E",),
        tip="Save a picture of the window (PNG or SVG)",
        menu="file",
        section=2,
    ),
    ActionSpec(
        "export_gif",
        "Export training &GIF…",
        tip="Animate the decision boundary and loss over the timeline",
        menu="file",
        section=2,
    ),
    ActionSpec("quit", "&Quit", (_STD.Quit,), menu="file", section=3),
    # Edit
    ActionSpec("undo", "&Undo point edit", (_STD.Undo,), menu="edit"),
    ActionSpec("redo", "&Redo point edit", ("Ctrl+Shift+Z", "Ctrl+Y"), menu="edit"),
    ActionSpec(
        "paint",
        "&Paint points",
        ("B",),
        tip="Paint: click or drag to add points; right-drag erases",
        glyph="brush",
        checkable=True,
        short="Paint",
        menu="edit",
        section=1,
        toolbar=2,
        checked=True,
    ),
    ActionSpec(
        "erase",
        "&Eraser",
        ("E",),
        tip="Eraser: click or drag to remove points",
        glyph="eraser",
        checkable=True,
        menu="edit",
        section=1,
        toolbar=2,
    ),
    ActionSpec(
        "move",
        "&Move points",
        ("M",),
        tip="Move: drag a point (Shift+drag works with any tool)",
        glyph="move",
        checkable=True,
        short="Move",
        menu="edit",
        section=1,
        toolbar=2,
    ),
    *(ActionSpec(f"class{i}", f"Class &{i}", (str(i),), menu="edit/classes") for i in range(1, 9)),
    ActionSpec(
        "regenerate",
        "Re&generate data",
        ("Ctrl+G",),
        tip="New random points from the same preset",
        glyph="regenerate",
        short="Regenerate",
        menu="edit",
        section=2,
        toolbar=3,
    ),
    ActionSpec(
        "clear",
        "&Clear points",
        ("Ctrl+K",),
        tip="Remove every point",
        glyph="clear",
        short="Clear",
        menu="edit",
        section=2,
        toolbar=3,
    ),
    ActionSpec("add_layer", "&Add hidden layer", ("Ctrl+L",), menu="edit", section=3),
    ActionSpec(
        "remove_layer", "Remo&ve last hidden layer", ("Ctrl+Shift+L",), menu="edit", section=3
    ),
    # View
    ActionSpec(
        "show_test",
        "Show &test data",
        ("T",),
        checkable=True,
        menu="view",
        section=1,
        checked=True,
    ),
    ActionSpec("discrete", "&Discretise output", ("D",), checkable=True, menu="view", section=1),
    ActionSpec("log_loss", "&Log-scale loss", ("L",), checkable=True, menu="view", section=1),
    ActionSpec("dark", "Dar&k theme", ("Ctrl+Shift+T",), checkable=True, menu="view", section=2),
    ActionSpec(
        "presentation",
        "&Presentation mode",
        ("F11",),
        tip="Full screen with large type",
        glyph="screen",
        checkable=True,
        short="Present",
        menu="view",
        section=2,
        toolbar=4,
    ),
    ActionSpec(
        "controls",
        "Show the &controls",
        ("F10",),
        tip="Show or hide the Data, Network, Training and Timeline panels",
        checkable=True,
        short="Controls",
        menu="view",
        section=2,
        checked=True,
    ),
    ActionSpec("reset_layout", "&Reset layout", menu="view", section=2),
    # Train
    ActionSpec(
        "play",
        "&Play",
        ("Space",),
        tip="Play / pause training",
        glyph="play",
        checkable=True,
        menu="train",
        toolbar=0,
    ),
    ActionSpec(
        "step",
        "Step &batch",
        ("N",),
        tip="Train one mini-batch",
        glyph="step",
        short="Step",
        menu="train",
        toolbar=0,
    ),
    ActionSpec(
        "epoch",
        "Step &epoch",
        ("Shift+N",),
        tip="Train to the end of the epoch",
        glyph="epoch",
        short="Epoch",
        menu="train",
        toolbar=0,
    ),
    ActionSpec(
        "reset",
        "&Reset",
        ("Ctrl+R",),
        tip="Start again from the same initial weights (same seed)",
        glyph="reset",
        menu="train",
        section=1,
        toolbar=0,
    ),
    ActionSpec(
        "reinit",
        "Re-&initialise",
        ("Ctrl+Shift+R",),
        tip="Start again from new random weights (new seed)",
        glyph="dice",
        short="Re-init",
        menu="train",
        section=1,
        toolbar=0,
    ),
    ActionSpec(
        "slower",
        "&Slower",
        ("[",),
        tip="Slow training down",
        glyph="slower",
        menu="train",
        section=2,
        toolbar=1,
    ),
    ActionSpec(
        "faster",
        "&Faster",
        ("]",),
        tip="Speed training up",
        glyph="faster",
        menu="train",
        section=2,
        toolbar=1,
    ),
    ActionSpec(
        "max_speed",
        "&Maximum speed",
        ("Ctrl+]",),
        tip="Train as fast as the machine goes; click again for the pace before",
        checkable=True,
        short="Max",
        menu="train",
        section=2,
        toolbar=1,
    ),
    ActionSpec("lower_lr", "&Lower learning rate ÷10", ("Ctrl+Down",), menu="train", section=2),
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
    ActionSpec("shortcuts", "&Keyboard shortcuts", ("F1",), menu="help"),
    ActionSpec("about", "&About dlviz", menu="help"),
)

SUBMENUS: tuple[SubMenu, ...] = (
    SubMenu("recent", "Open &recent", "file", after="open"),
    SubMenu("classes", "Paint &class", "edit", after="move"),
    SubMenu("view-image", "Export &view image", "file", after="export_image"),
    SubMenu("copy-view", "&Copy view to clipboard", "file", after="view-image"),
    SubMenu("panels", "&Panels and views", "view", after=""),
    SubMenu("engine", "&Engine", "train", after="lower_lr", separator=True),
    SubMenu("lessons", "&Lessons", "help", after=""),  # filled by ui/lessons.py
)
#: The toolbar of presentation mode: the transport, the pace, and the way back to the rest.
STAGE_TOOLBAR = (
    ("play", "step", "reset"),
    ("slower", "faster", "max_speed"),
    ("controls", "presentation"),
)
#: Actions of which one is checked at a time.
EXCLUSIVE = (("paint", "erase", "move"), tuple(f"engine_{c}" for c in ENGINE_MENU))
#: Keys the F1 list names that are not actions (the canvas's mouse gestures).
EXTRA_KEYS = (
    ("1 – 8", "Paint class 1 to 8"),
    ("Right-drag", "Erase points"),
    ("Shift+drag", "Move a point"),
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
        action = QAction(spec.text, parent)
        action.setObjectName(f"action-{spec.name}")
        if spec.keys:
            action.setShortcuts([QKeySequence(key) for key in spec.keys])
        if spec.tip:
            keys = action.shortcut().toString()
            action.setToolTip(f"{spec.tip} ({keys})" if keys else spec.tip)
            action.setStatusTip(spec.tip)
        action.setCheckable(spec.checkable)
        action.setChecked(spec.checked)
        action.setData(spec.glyph)
        if spec.short:
            action.setIconText(spec.short)
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


def fill_menu_bar(bar: QMenuBar, actions: Mapping[str, QAction]) -> dict[str, QMenu]:
    """The menus in table order; returns every menu and submenu by name."""
    menus: dict[str, QMenu] = {}
    for name, title in MENUS:
        menu = bar.addMenu(title)
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
        menu = parent.addMenu(sub.text)
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
    rows = [EXTRA_KEYS[0]]
    for spec in ACTIONS:
        if spec.menu == "edit/classes":
            continue  # one row for all eight: "1 – 8"
        action = actions[spec.name]
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        if keys:
            rows.append((keys, action.text().replace("&", "")))
    rows.extend(EXTRA_KEYS[1:])
    return rows


def tint(actions: Mapping[str, QAction], color: str) -> None:
    """Draw every action's glyph in the theme's text colour."""
    for action in actions.values():
        glyph = action.data()
        if glyph:
            action.setIcon(icons.icon(glyph, color))
