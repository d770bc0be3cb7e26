#!/usr/bin/env python3
"""Draws the demo catalog's product pictures into public/images/products/<sku>.svg.

Reads each product's sku, brand and English name from app/src/catalog/seed.rs
so the two never drift apart. Run it again after adding a demo product. The
pictures hold no words (initials and the brand only), so they fit a page in
any language.
"""
import html
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent
SEED = ROOT / "app" / "src" / "catalog" / "seed.rs"
OUT = ROOT / "public" / "images" / "products"

PALETTE = {
    "Hanbit": ("#ffedd5", "#ea580c"),
    "Mireu": ("#e0e7ff", "#4f46e5"),
    "Sora": ("#e0f2fe", "#0284c7"),
    "Dalbit": ("#fef9c3", "#a16207"),
    "Namu": ("#dcfce7", "#15803d"),
    "Pado": ("#ccfbf1", "#0f766e"),
}

SHAPES = [
    '<circle cx="200" cy="170" r="80" fill="{fg}" opacity="0.85"/>',
    '<rect x="120" y="90" width="160" height="160" rx="28" fill="{fg}" opacity="0.85"/>',
    '<polygon points="200,80 290,250 110,250" fill="{fg}" opacity="0.85"/>',
    '<ellipse cx="200" cy="170" rx="110" ry="70" fill="{fg}" opacity="0.85"/>',
    '<path d="M110 240 Q200 40 290 240 Z" fill="{fg}" opacity="0.85"/>',
    '<rect x="150" y="80" width="100" height="180" rx="50" fill="{fg}" opacity="0.85"/>',
]


def rows():
    """(sku, English name, brand) of every `DemoProduct { ... }` in seed.rs."""
    pattern = re.compile(
        r'DemoProduct\s*\{\s*sku:\s*"([a-z0-9-]+)",\s*brand:\s*"([^"]+)",'
        r'.*?en:\s*\(\s*"([^"]+)"',
        re.S,
    )
    for sku, brand, name in pattern.findall(SEED.read_text()):
        yield sku, name, brand


def svg(index, name, brand):
    bg, fg = PALETTE.get(brand, ("#f4f4f5", "#3f3f46"))
    shape = SHAPES[index % len(SHAPES)].format(fg=fg)
    initials = "".join(w[0] for w in name.split() if w[0].isalnum())[:2].upper()
    return f"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 400" aria-hidden="true">
  <rect width="400" height="400" fill="{bg}"/>
  {shape}
  <text x="200" y="186" font-family="sans-serif" font-size="56" font-weight="700" fill="#fff" text-anchor="middle">{initials}</text>
  <text x="200" y="340" font-family="sans-serif" font-size="16" fill="#52525b" text-anchor="middle" letter-spacing="4">{html.escape(brand.upper())}</text>
</svg>
"""


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    count = 0
    for index, (sku, name, brand) in enumerate(rows()):
        (OUT / f"{sku}.svg").write_text(svg(index, name, brand))
        count += 1
    print(f"wrote {count} pictures to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
