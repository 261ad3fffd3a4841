"""Renders the installable icon set in static/img/icons/ from static/img/logo.svg (a script, run by hand
when the logo changes; the PNGs are committed and nothing runs this at request time).

    .venv/bin/python tests/benchmarks/make_offline_icons.py

Chromium (through Playwright, never downloaded: Debian's /usr/bin/chromium) draws the SVG at each size:
- icon-192.png, icon-512.png: the logo as it is (rounded corners, transparent outside), purpose "any";
- icon-maskable-512.png: the logo at 52 % on the theme colour, inside the maskable safe zone (the
  centre circle of 80 % diameter: the logo's corners sit at 37 % from the centre), purpose "maskable";
- apple-touch-icon.png (180): the logo full-bleed on white and square, because iOS fills transparency
  with black and rounds the corners itself.
"""

from __future__ import annotations

import base64
import os
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[2]
LOGO = ROOT / "static" / "img" / "logo.svg"
OUT = ROOT / "static" / "img" / "icons"
THEME = "#0f4c5c"  # --brand in static/css/forum.css
CHROMIUM = os.environ.get("FORUM_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]

# (file, size in px, background, logo size as a share of the icon, square corners)
ICONS = [
    ("icon-192.png", 192, "transparent", 1.0, False),
    ("icon-512.png", 512, "transparent", 1.0, False),
    ("icon-maskable-512.png", 512, THEME, 0.52, False),
    ("apple-touch-icon.png", 180, "#ffffff", 1.0, True),
]


def page_html(svg: str, size: int, background: str, share: float, square: bool) -> str:
    if square:
        svg = svg.replace('rx="10" ', "")  # iOS rounds the corners itself
    data = base64.b64encode(svg.encode()).decode()
    logo = round(size * share)
    return f"""<!doctype html><html><head><style>
html, body {{ margin: 0; width: {size}px; height: {size}px; background: {background}; }}
body {{ display: grid; place-items: center; }}
img {{ width: {logo}px; height: {logo}px; display: block; }}
</style></head><body><img src="data:image/svg+xml;base64,{data}" alt=""></body></html>"""


def main() -> int:
    svg = LOGO.read_text(encoding="utf-8")
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        for name, size, background, share, square in ICONS:
            page = browser.new_page(viewport={"width": size, "height": size}, device_scale_factor=1)
            page.set_content(page_html(svg, size, background, share, square))
            page.screenshot(path=str(OUT / name), omit_background=background == "transparent")
            page.close()
            print(f"{OUT.relative_to(ROOT) / name}: {size}x{size}")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
