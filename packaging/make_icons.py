"""Renders the application icon (mottagning/resources/icons/mottagning.svg) to the PNG used
by the Linux desktop entry and the ICO used by the Windows build and installer.

Run after changing the SVG: `.venv/bin/python packaging/make_icons.py` (headless is fine)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SVG = ROOT / "mottagning" / "resources" / "icons" / "mottagning.svg"
PNG = ROOT / "packaging" / "linux" / "mottagning.png"
ICO = ROOT / "packaging" / "windows" / "mottagning.ico"


def render(size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    QSvgRenderer(str(SVG)).render(painter)
    painter.end()
    return image


def main() -> int:
    QGuiApplication(sys.argv)
    ok = render(256).save(str(PNG), "PNG") and render(256).save(str(ICO), "ICO")
    print(f"{PNG}\n{ICO}" if ok else "could not write the icons", file=sys.stdout if ok else sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
