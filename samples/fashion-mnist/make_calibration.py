#!/usr/bin/env python3
"""Writes the demo's calibration set: 100 Fashion-MNIST *training* images as 8-bit PGM files.

They are the first 100 (in index order) of the 1,000 training images that make_demo.py calibrated PyTorch's
quantization with, so Edge's post-training quantization (`edge demo`, `edge convert … --calibration DIR`) and
PyTorch's see the same kind of data, and none of the 200 test images. Each file is `calibration/train_NNNNN.pgm`
(NNNNN = index in the training set): binary PGM (P5), 28 x 28, maxval 255, the pixels exactly as stored in the IDX
file. Preprocessing for the model is the demo's: x = float32(pixel) / 255, NCHW [1, 1, 28, 28].

Run with Debian's Python (python3-numpy; dataset-fashion-mnist installed):
    /usr/bin/python3 samples/fashion-mnist/make_calibration.py
"""
import argparse
import os

import numpy as np

SEED = 20261206            # make_demo.py's seed; its calibration indices come from default_rng(SEED + 1)
CALIBRATION_IMAGES = 1000  # make_demo.py's count
KEEP = 100


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist", help="folder with the IDX .gz files")
    ap.add_argument("--out", default=os.path.join(here, "calibration"))
    args = ap.parse_args()
    # make_demo.load/read_idx need no torch at call time, but importing make_demo imports torch; keep this script
    # light by reading the IDX file the same way here.
    import gzip, struct
    with gzip.open(os.path.join(args.data, "train-images-idx3-ubyte.gz"), "rb") as f:
        raw = f.read()
    zero, dtype, ndim = struct.unpack(">HBB", raw[:4])
    assert zero == 0 and dtype == 0x08 and ndim == 3
    dims = struct.unpack(">III", raw[4:16])
    images = np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(dims)
    calib = np.sort(np.random.default_rng(SEED + 1).choice(len(images), CALIBRATION_IMAGES, replace=False))
    os.makedirs(args.out, exist_ok=True)
    for idx in calib[:KEEP]:
        with open(os.path.join(args.out, f"train_{idx:05d}.pgm"), "wb") as f:
            f.write(b"P5\n28 28\n255\n")
            f.write(images[idx].tobytes())
    print(f"wrote {KEEP} PGM images to {args.out}")


if __name__ == "__main__":
    main()
