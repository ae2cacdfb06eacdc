"""Icons drawn from SVG text, so they stay sharp on high-DPI screens and follow the theme.

Toolbar glyphs use ``currentColor`` and take the theme's text colour; the
app icon (a small network over a two-class boundary) has fixed Okabe–Ito colours.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

_SIZES = (16, 20, 24, 32, 48, 64, 128, 256)

APP_ICON = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">
<rect x="2" y="2" width="60" height="60" rx="12" fill="#FFFFFF" stroke="#1A1A1A" stroke-width="3"/>
<path d="M4 44 C 20 40, 28 20, 60 14 L60 60 L4 60 Z" fill="#56B4E9" fill-opacity="0.55"/>
<path d="M4 44 C 20 40, 28 20, 60 14" fill="none" stroke="#1A1A1A" stroke-width="2.5"/>
<g stroke="#1A1A1A" stroke-width="2">
<line x1="14" y1="20" x2="32" y2="14"/><line x1="14" y1="20" x2="32" y2="32"/>
<line x1="14" y1="40" x2="32" y2="32"/><line x1="14" y1="40" x2="32" y2="50"/>
<line x1="32" y1="14" x2="50" y2="32"/><line x1="32" y1="32" x2="50" y2="32"/>
<line x1="32" y1="50" x2="50" y2="32"/><line x1="14" y1="20" x2="32" y2="50"/>
</g>
<g stroke="#1A1A1A" stroke-width="2.5">
<circle cx="14" cy="20" r="6" fill="#E69F00"/><circle cx="14" cy="40" r="6" fill="#E69F00"/>
<circle cx="32" cy="14" r="6" fill="#FFFFFF"/><circle cx="32" cy="32" r="6" fill="#FFFFFF"/>
<circle cx="32" cy="50" r="6" fill="#FFFFFF"/><circle cx="50" cy="32" r="7" fill="#0072B2"/>
</g></svg>"""

_GLYPHS = {
    "play": '<path d="M7 4 L20 12 L7 20 Z" fill="currentColor"/>',
    "pause": '<rect x="6" y="4" width="4.5" height="16" fill="currentColor"/>'
    '<rect x="13.5" y="4" width="4.5" height="16" fill="currentColor"/>',
    "step": '<path d="M5 5 L15 12 L5 19 Z" fill="currentColor"/>'
    '<rect x="16" y="5" width="3" height="14" fill="currentColor"/>',
    "epoch": '<path d="M2 5 L10 12 L2 19 Z" fill="currentColor"/>'
    '<path d="M10 5 L18 12 L10 19 Z" fill="currentColor"/>'
    '<rect x="19" y="5" width="3" height="14" fill="currentColor"/>',
    "reset": '<path d="M12 4 A8 8 0 1 0 20 12" fill="none" stroke="currentColor" '
    'stroke-width="2.6"/><path d="M12 0.5 L17 4 L12 7.5 Z" fill="currentColor"/>',
    "dice": '<rect x="3" y="3" width="18" height="18" rx="4" fill="none" stroke="currentColor" '
    'stroke-width="2.2"/><circle cx="8" cy="8" r="2" fill="currentColor"/>'
    '<circle cx="16" cy="16" r="2" fill="currentColor"/>'
    '<circle cx="12" cy="12" r="2" fill="currentColor"/>',
    "brush": '<circle cx="12" cy="12" r="7" fill="currentColor"/>'
    '<circle cx="12" cy="12" r="10" fill="none" stroke="currentColor" stroke-width="1.5"/>',
    "eraser": '<path d="M3 15 L12 6 L20 14 L13 21 L8 21 Z" fill="none" stroke="currentColor" '
    'stroke-width="2.2" stroke-linejoin="round"/><path d="M7.5 10.5 L15.5 18.5" '
    'stroke="currentColor" stroke-width="2.2"/>',
    "move": '<path d="M12 2 L16 6 H13 V11 H18 V8 L22 12 L18 16 V13 H13 V18 H16 L12 22 L8 18 '
    'H11 V13 H6 V16 L2 12 L6 8 V11 H11 V6 H8 Z" fill="currentColor"/>',
    "regenerate": '<path d="M20 12 A8 8 0 1 1 12 4" fill="none" stroke="currentColor" '
    'stroke-width="2.6"/><path d="M12 0.5 L17 4 L12 7.5 Z" fill="currentColor"/>'
    '<circle cx="12" cy="12" r="2.2" fill="currentColor"/>',
    "clear": '<path d="M5 7 H19 M9 7 V4 H15 V7 M7 7 L8 21 H16 L17 7" fill="none" '
    'stroke="currentColor" stroke-width="2.2" stroke-linejoin="round"/>',
    "add": '<path d="M12 4 V20 M4 12 H20" stroke="currentColor" stroke-width="3"/>',
    "remove": '<path d="M6 6 L18 18 M18 6 L6 18" stroke="currentColor" stroke-width="2.6"/>',
    "up": '<path d="M5 15 L12 8 L19 15" fill="none" stroke="currentColor" stroke-width="2.8"/>',
    "down": '<path d="M5 9 L12 16 L19 9" fill="none" stroke="currentColor" stroke-width="2.8"/>',
    "slower": '<path d="M20 5 L12 12 L20 19 Z M12 5 L4 12 L12 19 Z" fill="currentColor"/>',
    "faster": '<path d="M4 5 L12 12 L4 19 Z M12 5 L20 12 L12 19 Z" fill="currentColor"/>',
    "screen": '<rect x="3" y="4" width="18" height="13" rx="2" fill="none" stroke="currentColor" '
    'stroke-width="2.2"/><path d="M8 21 H16 M12 17 V21" stroke="currentColor" '
    'stroke-width="2.2"/>',
}


def _render(svg: str, size: int) -> QPixmap:
    renderer = QSvgRenderer(QByteArray(svg.encode()))
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return pixmap


def svg_icon(svg: str) -> QIcon:
    icon = QIcon()
    for size in _SIZES:
        icon.addPixmap(_render(svg, size))
    return icon


def app_icon() -> QIcon:
    return svg_icon(APP_ICON)


def icon(name: str, color: str) -> QIcon:
    """Toolbar glyph ``name`` in ``color`` (the theme's text colour), disabled state greyed."""
    body = _GLYPHS[name]
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" color="{color}">{body}</svg>'
    )
    result = QIcon()
    faded = svg.replace(f'color="{color}"', 'color="#9A9A9A"')
    for size in _SIZES[:6]:
        result.addPixmap(_render(svg, size), QIcon.Mode.Normal)
        result.addPixmap(_render(faded, size), QIcon.Mode.Disabled)
    return result
