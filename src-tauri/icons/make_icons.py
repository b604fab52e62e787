"""Draws the app icon (「窓」 in BIZ UDゴシック Bold on the counter-screen blue) and writes
icon.png (window icon, used by tauri-codegen), 32x32.png, 128x128.png and icon.ico (Windows resource).

Run once with Pillow available: python3 src-tauri/icons/make_icons.py  (outputs are committed).
"""
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).resolve().parent
FONT = HERE.parent.parent / "assets" / "fonts" / "BIZUDGothic-Bold.ttf"


def draw(size: int) -> Image.Image:
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    r = size // 6
    d.rounded_rectangle((0, 0, size - 1, size - 1), radius=r, fill=(0, 61, 122, 255))
    font = ImageFont.truetype(str(FONT), int(size * 0.72))
    d.text((size / 2, size / 2), "窓", font=font, fill=(255, 255, 255, 255), anchor="mm")
    return img


def main() -> None:
    big = draw(512)
    big.save(HERE / "icon.png")
    draw(32).save(HERE / "32x32.png")
    draw(128).save(HERE / "128x128.png")
    big.save(HERE / "icon.ico", sizes=[(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)])


if __name__ == "__main__":
    main()
