"""Light and dark themes, font sizes and the presentation mode.

One :class:`Theme` object describes the colours every widget and plot uses;
views re-read it in ``apply_theme``.  Sizes (fonts, points, lines) come from
:class:`Scale`, which grows in presentation mode so a room can read it.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

#: Smallest font anywhere in the normal layout: readable from the back of a room.
BASE_POINT_SIZE = 11
#: Body text in presentation mode: legible from the back of a classroom.
PRESENTATION_POINT_SIZE = 18


@dataclass(frozen=True)
class Theme:
    name: str
    window: str
    base: str  # editable fields, lists
    text: str
    muted: str  # secondary text, grid lines
    button: str
    highlight: str
    plot_background: str
    plot_foreground: str
    point_outline: str  # ring around filled (train) points
    dark: bool

    def rgb(self, attr: str) -> tuple[int, int, int]:
        c = QColor(getattr(self, attr))
        return c.red(), c.green(), c.blue()


LIGHT = Theme(
    name="light",
    window="#F3F3F3",
    base="#FFFFFF",
    text="#1A1A1A",
    muted="#6B6B6B",
    button="#E8E8E8",
    highlight="#0072B2",
    plot_background="#FFFFFF",
    plot_foreground="#333333",
    point_outline="#202020",
    dark=False,
)
DARK = Theme(
    name="dark",
    window="#232427",
    base="#393C43",  # lighter than the window: fields and check boxes stand out
    text="#EDEDED",
    muted="#A0A0A0",
    button="#33353A",
    highlight="#56B4E9",
    plot_background="#16171A",
    plot_foreground="#D8D8D8",
    point_outline="#F0F0F0",
    dark=True,
)
THEMES = {"light": LIGHT, "dark": DARK}


@dataclass(frozen=True)
class Scale:
    """Sizes that grow in presentation mode."""

    font_pt: int = BASE_POINT_SIZE
    point_px: float = 9.0
    line_px: float = 2.0
    tick_pt: int = BASE_POINT_SIZE

    @classmethod
    def for_mode(cls, presentation: bool) -> Scale:
        if presentation:
            return cls(PRESENTATION_POINT_SIZE, 16.0, 5.0, PRESENTATION_POINT_SIZE)
        return cls()


def palette(theme: Theme) -> QPalette:
    pal = QPalette()
    roles = {
        QPalette.ColorRole.Window: theme.window,
        QPalette.ColorRole.WindowText: theme.text,
        QPalette.ColorRole.Base: theme.base,
        QPalette.ColorRole.AlternateBase: theme.window,
        QPalette.ColorRole.Text: theme.text,
        QPalette.ColorRole.Button: theme.button,
        QPalette.ColorRole.ButtonText: theme.text,
        QPalette.ColorRole.ToolTipBase: theme.base,
        QPalette.ColorRole.ToolTipText: theme.text,
        QPalette.ColorRole.PlaceholderText: theme.muted,
        QPalette.ColorRole.Highlight: theme.highlight,
        QPalette.ColorRole.HighlightedText: "#FFFFFF" if not theme.dark else "#000000",
        QPalette.ColorRole.Link: theme.highlight,
        QPalette.ColorRole.BrightText: "#D55E00",
    }
    for role, color in roles.items():
        pal.setColor(role, QColor(color))
    disabled = QColor(theme.muted)
    for role in (
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
    ):
        pal.setColor(QPalette.ColorGroup.Disabled, role, disabled)
    return pal


def apply_to_app(app: QApplication, theme: Theme, scale: Scale) -> None:
    """Fusion style, the theme's palette and the base font size for every widget."""
    if app.style().name().lower() != "fusion":
        app.setStyle("Fusion")
    app.setPalette(palette(theme))
    font = QFont(app.font())
    font.setPointSize(scale.font_pt)
    app.setFont(font)
    # Fusion draws 13 px check boxes whatever the font: grow them with the type
    box = round(scale.font_pt * 1.4)
    app.setStyleSheet(
        f"QCheckBox::indicator, QGroupBox::indicator {{ width: {box}px; height: {box}px; }}"
    )


def plot_font(scale: Scale, *, bold: bool = False) -> QFont:
    font = QFont(QApplication.font())
    font.setPointSize(scale.tick_pt)
    font.setBold(bold)
    return font
