"""Draws the app icons (run once; the PNGs are committed): a white check mark on a house
over the theme blue. `icon-*` fill the square; `maskable-512` keeps the mark inside the
80 % safe zone that Android's masks never crop."""

from pathlib import Path

from PIL import Image, ImageDraw

BLUE = (11, 61, 145, 255)
OUT = Path(__file__).resolve().parents[1] / "public" / "icons"


def draw(size: int, safe: float) -> Image.Image:
    img = Image.new("RGBA", (size, size), BLUE)
    d = ImageDraw.Draw(img)
    s = size * safe  # the drawing box
    o = (size - s) / 2

    def p(x: float, y: float) -> tuple[float, float]:
        return (o + x * s, o + y * s)

    # house: roof and body
    d.polygon([p(0.12, 0.48), p(0.5, 0.14), p(0.88, 0.48)], fill="white")
    d.rectangle([p(0.22, 0.46), p(0.78, 0.86)], fill="white")
    # check mark in blue on the house
    w = max(2, int(s * 0.085))
    d.line([p(0.33, 0.64), p(0.46, 0.76), p(0.69, 0.52)], fill=BLUE, width=w, joint="curve")
    return img


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        draw(size, 0.86).save(OUT / f"icon-{size}.png", optimize=True)
    draw(512, 0.62).save(OUT / "maskable-512.png", optimize=True)
    draw(180, 0.8).convert("RGB").save(OUT / "apple-touch-icon.png", optimize=True)


if __name__ == "__main__":
    main()
