"""Makes the PNG/PGM calibration-image test files with Pillow and numpy (run once with a Python that has both;
the files are committed). Each image X.png / X.pgm has X.npy beside it: the pixels Pillow decodes, as uint8
[H, W] (gray) or [H, W, 3] (RGB; alpha dropped; 16-bit gray as its high byte)."""
import numpy as np
from PIL import Image

rng = np.random.default_rng(11)
h, w = 6, 7
gray = (rng.integers(0, 256, (h, w))).astype(np.uint8)
gray[:, 0] = np.arange(h) * 40          # smooth columns/rows make the encoder pick different filters
rgb = rng.integers(0, 256, (h, w, 3)).astype(np.uint8)
rgb[0] = 17
rgba = np.concatenate([rgb, rng.integers(0, 256, (h, w, 1)).astype(np.uint8)], axis=2)

def save(name, img, pixels):
    img.save(name + ".png")
    np.save(name + ".npy", pixels)

save("gray8", Image.fromarray(gray, "L"), gray)
save("rgb8", Image.fromarray(rgb, "RGB"), rgb)
save("rgba8", Image.fromarray(rgba, "RGBA"), rgb)
pal = Image.fromarray(rgb, "RGB").quantize(colors=16)
save("palette", pal, np.asarray(pal.convert("RGB")))
g16 = (gray.astype(np.uint16) * 257 + 3).astype(np.uint16)
save("gray16", Image.fromarray(g16, "I;16"), (g16 >> 8).astype(np.uint8))
Image.fromarray(gray, "L").save("gray8.pgm")
np.save("gray8_pgm.npy", gray)
Image.fromarray(rgb, "RGB").save("rgb8.ppm")
np.save("rgb8_ppm.npy", rgb)

# what Pillow decodes from the written files must be what was written
for n in ["gray8", "rgb8", "palette"]:
    a = np.asarray(Image.open(n + ".png").convert("RGB" if n != "gray8" else "L"))
    assert (a == np.load(n + ".npy")).all(), n
assert (np.asarray(Image.open("gray8.pgm")) == gray).all()
