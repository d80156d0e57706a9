"""Draw the app's favicon (app_pages/_assets/icon.png): a falling line with a break, in the
charts' colours. A local file, so no browser fetches an icon from a font CDN.

Run: .venv/bin/python scripts/make_icon.py
"""

from __future__ import annotations

import pathlib

from PIL import Image, ImageDraw

OUT = pathlib.Path(__file__).resolve().parents[1] / "app_pages" / "_assets" / "icon.png"


def main() -> None:
    size = 64
    im = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    d = ImageDraw.Draw(im)
    d.rounded_rectangle(
        (2, 2, size - 3, size - 3),
        radius=12,
        fill=(255, 255, 255, 255),
        outline=(0, 114, 178, 255),
        width=3,
    )
    d.line((12, 18, 34, 30), fill=(0, 114, 178, 255), width=5)  # the trend before
    d.line((34, 30, 34, 44), fill=(213, 94, 0, 255), width=3)  # the intervention
    d.line((34, 44, 52, 50), fill=(0, 114, 178, 255), width=5)  # the trend after
    OUT.parent.mkdir(parents=True, exist_ok=True)
    im.save(OUT, optimize=True)
    print(OUT, OUT.stat().st_size, "bytes")


if __name__ == "__main__":
    main()
