#!/usr/bin/env python3
"""Writes generic images of things in no clothing class, to teach the model "none of these"
(`fashionsort train --outliers DIR`): crops of Debian's GNOME wallpapers, icons of the Adwaita theme,
text and glyphs rendered in DejaVu fonts, and noise. Installs the Debian packages it needs; writes
nothing into the repository.

    python3 deploy/outlier-images.py OUT [--count N] [--seed S]
"""
import argparse
import glob
import os
import random
import shutil
import subprocess
import sys

PACKAGES = ["gnome-backgrounds", "adwaita-icon-theme", "fonts-dejavu-core", "librsvg2-bin", "python3-pil"]


def install():
    missing = [p for p in PACKAGES if subprocess.run(["dpkg", "-s", p], capture_output=True).returncode != 0]
    if missing:
        sudo = [] if os.geteuid() == 0 else ["sudo"]
        subprocess.run(sudo + ["apt-get", "install", "-y", "-qq"] + missing, check=True,
                       env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
    # python3-pil is Debian's Python's: another python3 first on PATH (pyenv, a venv) hands over to it.
    try:
        import PIL  # noqa: F401
    except ImportError:
        if sys.executable != "/usr/bin/python3" and os.path.exists("/usr/bin/python3"):
            os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
        raise


def wallpapers(tmp):
    """The wallpapers as Pillow images; SVGs are rasterised with rsvg-convert."""
    from PIL import Image
    images = []
    for path in sorted(glob.glob("/usr/share/backgrounds/gnome/*")):
        if path.endswith(".svg"):
            png = os.path.join(tmp, os.path.basename(path) + ".png")
            subprocess.run(["rsvg-convert", "-w", "1024", "-o", png, path], check=True)
            path = png
        try:
            img = Image.open(path).convert("RGB")
        except OSError:
            continue
        if min(img.size) >= 64:
            images.append(img)
    return images


def crops(images, count, rng):
    for _ in range(count):
        img = rng.choice(images)
        w, h = img.size
        side = int(min(w, h) * rng.uniform(0.1, 0.7))
        x, y = rng.randrange(w - side + 1), rng.randrange(h - side + 1)
        aspect = rng.uniform(0.6, 1.6)
        box = (x, y, min(w, x + int(side * aspect)), min(h, y + side))
        yield img.crop(box).resize((256, max(16, int(256 / aspect))))


def icons(count, rng):
    from PIL import Image
    paths = sorted(glob.glob("/usr/share/icons/Adwaita/96x96/**/*.png", recursive=True))
    for path in rng.sample(paths, min(count, len(paths))):
        icon = Image.open(path).convert("RGBA")
        shade = rng.choice([255, 255, rng.randrange(160, 256)])
        canvas = Image.new("RGBA", (160, 160), (shade, shade, shade, 255))
        canvas.alpha_composite(icon, (rng.randrange(0, 64), rng.randrange(0, 64)))
        yield canvas.convert("RGB")


def text(count, rng):
    from PIL import Image, ImageDraw, ImageFont
    fonts = sorted(glob.glob("/usr/share/fonts/truetype/dejavu/*.ttf"))
    words = ("SALE", "50%", "NEW", "€19.99", "Order #4821", "Size chart", "Free shipping", "@", "&", "?", "A", "Ж",
             "42", "♥", "★", "→", "Ω", "g", "Thank you!", "QR", "www", "#1", "%", "Σ", "π")
    for _ in range(count):
        font = ImageFont.truetype(rng.choice(fonts), rng.randrange(24, 120))
        back = rng.choice([255, 255, 240, rng.randrange(0, 256)])
        ink = 0 if back > 128 else 255
        img = Image.new("RGB", (256, 256), (back, back, back))
        draw = ImageDraw.Draw(img)
        for _ in range(rng.randrange(1, 4)):
            draw.text((rng.randrange(0, 160), rng.randrange(0, 200)), rng.choice(words), font=font,
                      fill=(ink, ink, ink))
        yield img


def noise(count, rng):
    from PIL import Image, ImageFilter
    for _ in range(count):
        img = Image.effect_noise((128, 128), rng.uniform(10, 120)).convert("RGB")
        if rng.random() < 0.5:
            img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.5, 6)))
        yield img


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--count", type=int, default=1200, help="images in all (default 1200)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    install()
    rng = random.Random(args.seed)
    tmp = os.path.join(args.out, ".svg")
    os.makedirs(tmp, exist_ok=True)
    n = args.count
    kinds = {"wallpaper": crops(wallpapers(tmp), n * 4 // 10, rng), "icon": icons(n * 3 // 10, rng),
             "text": text(n * 2 // 10, rng), "noise": noise(n - n * 9 // 10, rng)}
    for kind, images in kinds.items():
        os.makedirs(os.path.join(args.out, kind), exist_ok=True)
        written = 0
        for i, img in enumerate(images):
            img.save(os.path.join(args.out, kind, f"{kind}-{i:04d}.jpg"), quality=rng.randrange(70, 95))
            written += 1
        print(f"{written} {kind} images in {os.path.join(args.out, kind)}")
    shutil.rmtree(tmp)


if __name__ == "__main__":
    sys.exit(main())
