#!/usr/bin/env python3
"""Generate the synthetic seal images (印影) used in development, tests and training mode.

These are NOT real seals: a real union installs its own scanned 印影 (a security asset, kept out of the
repository) as `<seal dir>/<name>.png`. Run once (needs Pillow and the BIZ UD Mincho font):
    python3 assets/seal/make-seal.py
Output: kouiki.png (「広域連合之印」) and shicho.png (「見本市長之印」), RGBA, red on transparent.
"""
import sys
from pathlib import Path
from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/bizud-mincho/BIZUDMincho-Regular.ttf"
RED = (200, 30, 30)
SIZE = 320


def square_seal(chars: str, out: Path) -> None:
    # 角印: text in columns read top-to-bottom, right column first (縦書き).
    img = Image.new("L", (SIZE, SIZE), 0)
    d = ImageDraw.Draw(img)
    border = 14
    d.rectangle([border, border, SIZE - border, SIZE - border], outline=255, width=16)
    cols = 2 if len(chars) <= 6 else 3
    rows = (len(chars) + cols - 1) // cols
    inner = SIZE - 2 * (border + 26)
    cell_w, cell_h = inner / cols, inner / rows
    font = ImageFont.truetype(FONT, int(min(cell_w, cell_h) * 0.92))
    for i, ch in enumerate(chars):
        col = cols - 1 - i // rows
        row = i % rows
        cx = border + 26 + (col + 0.5) * cell_w
        cy = border + 26 + (row + 0.5) * cell_h
        d.text((cx, cy), ch, fill=255, font=font, anchor="mm", stroke_width=2, stroke_fill=255)
    rgba = Image.new("RGBA", (SIZE, SIZE), RED + (0,))
    rgba.putalpha(img.point(lambda a: int(a * 0.85)))
    rgba.save(out, optimize=True)


if __name__ == "__main__":
    here = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent
    square_seal("広域連合之印", here / "kouiki.png")
    square_seal("見本市長之印", here / "shicho.png")
