"""Writes the Pillow-parity fixtures for ClipImageTransformTest (run with Debian's python3-pil, Pillow 9.4).

For each source image: open_clip's eval transform up to the uint8 stage, i.e. torchvision
Resize(size) (shorter side to size, long side int(size * long / short), PIL BICUBIC) + CenterCrop(size)
(offsets int(round((h - size) / 2.0))). Output: raw RGB bytes, row-major, size*size*3.
"""
import random
from PIL import Image

def source(w, h, seed):
    r = random.Random(seed)
    img = Image.new("RGB", (w, h))
    img.putdata([(r.randrange(256), (x * 255) // max(1, w - 1), (y * 255) // max(1, h - 1))
                 for y in range(h) for x in range(w)])
    return img

def clip_resize_crop(img, size):
    w, h = img.size
    if w <= h:
        nw, nh = size, int(size * h / w)
    else:
        nw, nh = int(size * w / h), size
    img = img.resize((nw, nh), Image.BICUBIC)
    top = int(round((nh - size) / 2.0))
    left = int(round((nw - size) / 2.0))
    return img.crop((left, top, left + size, top + size))

for name, (w, h, size, seed) in {"parity-37x23": (37, 23, 16, 1), "parity-10x14": (10, 14, 16, 2),
                                  "parity-64x50": (64, 50, 8, 3)}.items():
    src = source(w, h, seed)
    src.save(name + ".png")
    with open(name + ".rgb", "wb") as f:
        f.write(clip_resize_crop(src, size).tobytes())

# JPEG decoding parity: a 48x40 JPEG (quality 90, 4:2:0) written by Pillow, and the RGB pixels Pillow decodes
r = random.Random(4)
img = Image.new("RGB", (48, 40))
img.putdata([((x * 5 + r.randrange(40)) % 256, (y * 6) % 256, (x * y) % 256) for y in range(40) for x in range(48)])
img.save("pillow-q90-420.jpg", quality=90)
with open("pillow-q90-420.rgb", "wb") as f:
    f.write(Image.open("pillow-q90-420.jpg").convert("RGB").tobytes())
