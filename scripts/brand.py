"""Draw the integration's brand icon (icon.png 256 px, icon@2x.png 512 px) with Pillow.

A phone with a speech bubble on a green rounded square, drawn at 4x and scaled down for smooth
edges. Run: scripts/_env.sh's in_env python scripts/brand.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "custom_components" / "smsmobileapi" / "brand"
SCALE = 4
GREEN_TOP = (38, 166, 91)
GREEN_BOTTOM = (18, 120, 80)
WHITE = (255, 255, 255, 255)
INK = (20, 92, 62, 255)


def draw(size: int) -> Image.Image:
    """Return the icon at ``size`` pixels."""
    big = size * SCALE
    unit = big / 64  # the drawing is laid out on a 64 x 64 grid
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    # A vertical gradient: one column of colours, stretched to the full width.
    column = Image.new("RGBA", (1, big))
    column.putdata(
        [
            (
                *(
                    round(top + (bottom - top) * y / (big - 1))
                    for top, bottom in zip(GREEN_TOP, GREEN_BOTTOM, strict=True)
                ),
                255,
            )
            for y in range(big)
        ]
    )
    gradient = column.resize((big, big))
    mask = Image.new("L", (big, big), 0)
    ImageDraw.Draw(mask).rounded_rectangle((0, 0, big - 1, big - 1), radius=14 * unit, fill=255)
    image.paste(gradient, (0, 0), mask)
    pen = ImageDraw.Draw(image)

    def box(x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
        return (x0 * unit, y0 * unit, x1 * unit, y1 * unit)

    # The phone.
    pen.rounded_rectangle(box(12, 8, 36, 56), radius=5 * unit, fill=WHITE)
    pen.rounded_rectangle(box(15, 13, 33, 47), radius=2 * unit, fill=INK)
    pen.ellipse(box(22, 49.5, 26, 53.5), fill=INK)
    # The speech bubble, overlapping the phone's edge.
    pen.rounded_rectangle(box(28, 18, 56, 38), radius=6 * unit, fill=WHITE)
    tail = [(34, 37), (32, 45), (41, 37)]
    pen.polygon([(x * unit, y * unit) for x, y in tail], fill=WHITE)
    for cx in (35, 42, 49):
        pen.ellipse(box(cx - 2.2, 25.8, cx + 2.2, 30.2), fill=INK)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    """Write both sizes."""
    OUT.mkdir(parents=True, exist_ok=True)
    draw(256).save(OUT / "icon.png", optimize=True)
    draw(512).save(OUT / "icon@2x.png", optimize=True)


if __name__ == "__main__":
    main()
