"""Turn the payment QR's SVG (as the API serves it) back into pixels, and decode it with a real
QR decoder (zxing-cpp), as a bank app would."""

from __future__ import annotations

import re

import numpy as np
import zxingcpp

TOKEN = re.compile(r"([MmHh])\s*(-?\d+(?:\.\d+)?)(?:\s+(-?\d+(?:\.\d+)?))?")


def rasterize(svg: str, pixels_per_module: int = 6) -> np.ndarray:
    """segno's SVG is one path of horizontal strokes: `M x y`, `m dx dy`, `h length`, drawn on a
    grid of modules scaled by `transform="scale(s)"`."""
    width = int(re.search(r'width="(\d+)"', svg).group(1))  # type: ignore[union-attr]
    scale = int(re.search(r"scale\((\d+)\)", svg).group(1))  # type: ignore[union-attr]
    path = re.search(r' d="([^"]+)"', svg).group(1)  # type: ignore[union-attr]
    size = width // scale
    grid = np.full((size, size), 255, dtype=np.uint8)
    x = y = 0.0
    for command, a, b in TOKEN.findall(path):
        if command == "M":
            x, y = float(a), float(b)
        elif command == "m":
            x, y = x + float(a), y + float(b)
        else:  # h: a stroke one module high, centred on y
            length = float(a)
            row = int(y - 0.5)
            start, end = sorted((int(x), int(x + length)))
            grid[row, start:end] = 0
            x += length
    return np.kron(grid, np.ones((pixels_per_module, pixels_per_module), dtype=np.uint8))


def decode(svg: str) -> str:
    results = zxingcpp.read_barcodes(rasterize(svg), formats=zxingcpp.BarcodeFormat.QRCode)
    assert len(results) == 1, f"{len(results)} QR codes found"
    return str(results[0].text)
