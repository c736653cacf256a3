"""Synthetic placeholder photos for the demo: a plain silhouette with SYNTHETIC across it.

No face, real or generated: a grey head-and-shoulders shape on a tinted background, so that the
field worklist and the case page have something to show. The tint and the label differ from one
made-up person to the next so the cards are told apart at a glance.
"""

from __future__ import annotations

import hashlib
import io

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 240, 300
_BACKGROUNDS = ("#dfe1e2", "#e7f6f8", "#f3e1e4", "#ecf3ec", "#f5f0e6", "#e6e6f5")


def placeholder_photo(label: str) -> bytes:
    """A PNG silhouette labelled SYNTHETIC and ``label`` (a demo case's code)."""
    tint = _BACKGROUNDS[hashlib.sha256(label.encode()).digest()[0] % len(_BACKGROUNDS)]
    image = Image.new("RGB", (WIDTH, HEIGHT), tint)
    draw = ImageDraw.Draw(image)
    shape = "#71767a"
    draw.ellipse((80, 50, 160, 140), fill=shape)  # head
    draw.rounded_rectangle((40, 150, 200, 320), radius=60, fill=shape)  # shoulders
    banner = ImageFont.load_default(size=30)
    small = ImageFont.load_default(size=16)
    draw.rectangle((0, 118, WIDTH, 168), fill="#1b1b1b")
    draw.text((WIDTH / 2, 143), "SYNTHETIC", font=banner, fill="#ffffff", anchor="mm")
    draw.text((WIDTH / 2, 282), label[:28], font=small, fill="#ffffff", anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
