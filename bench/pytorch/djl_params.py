#!/usr/bin/python3
"""Converts an nst4j CIFAR-style ResNet (resnet8 / resnet20 / resnet32 ...) saved by nst4j into the state_dict of
fmnist_epoch.py's CifarResNet, so that export_teacher.py can export it (e.g. as a bfloat16 TorchScript teacher).

Why a Python reader and not a Java dump: the .params file is DJL's own binary format, stable and self-describing
for its arrays, and reading it here needs no JVM, no build and no new nst4j API; the Java side stays untouched.

The format (DJL 0.36: ai.djl.Model.save, ai.djl.nn.AbstractBlock.saveParameters, ai.djl.nn.Parameter.save,
ai.djl.ndarray.NDSerializer.encode), all integers big-endian (java.io.DataOutputStream):
  - a header ("DJL@", the model name, its data type, the input descriptors), then the block tree depth-first:
    each block writes its version byte and its metadata (input shapes; some blocks more), then its own
    parameters, then its children in the order they were added;
  - a parameter is 'P' (a Java char), a version byte, its name (writeUTF) and its array;
  - an array is writeUTF("NDAR"), an int version (3), a boolean + writeUTF(name) when named, writeUTF(sparse
    format), writeUTF(data type), the shape (int rank, rank longs, int layout length, layout chars), one byte
    for the byte order of the data ('<' little-endian, '>' big-endian), an int byte count and the raw data.
Only the arrays are decoded: they are found in file order by their "NDAR" header, each scan starting after the
previous array's data (so that no marker is looked for inside array data), and every one is checked (version,
DENSE, FLOAT32, byte count = product of the shape x 4).

The mapping rests on nst4j's child order, which fixes its parameter order (org.nst4j.model.PostActivationBlock:
conv1, bn1, conv2, bn2, then projConv, projBn; ResNet: stem conv, stem BN, the stages, the linear classifier) and
is the registration order of CifarResNet's modules (conv, bn, stages.i.j.{conv1, bn1, conv2, bn2, shortcut.0,
shortcut.1}, fc). Each pair is checked by kind (DJL's weight / gamma / beta / runningMean / runningVar / bias
against PyTorch's weight / weight / bias / running_mean / running_var / bias) and by shape, so a different
architecture fails with a message instead of loading wrong weights. BatchNorm's epsilon is 1e-5 on both sides
(org.nst4j.model.Layers.BN_EPS, torch.nn.BatchNorm2d's default).

--check verifies the conversion against nst4j itself: the logits nst4j computes (bench/pytorch/DjlLogits.java,
run on the CLI jar: build it first with mvn -o -q -B -DskipTests package) for the first --check-images test images
must match the converted model's within 1e-4 of the largest logit, and the converted model's accuracy on the
whole test set is printed next to the card's (both normalised with the card's mean and std).

Usage: /usr/bin/python3 bench/pytorch/djl_params.py --model models/fmnist-resnet20 --out STATE_DICT.pt
           [--check [--check-images N] [--data DIR]]
"""

import argparse
import json
import os
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

NDAR = b"\x00\x04NDAR"  # writeUTF("NDAR"): a 2-byte length, then the bytes
ARRAY_VERSION = 3
# DJL parameter name -> PyTorch state_dict key suffix, per kind of layer.
KIND = {"weight": ("weight",), "gamma": ("weight",), "beta": ("bias",), "runningMean": ("running_mean",),
        "runningVar": ("running_var",), "bias": ("bias",)}


class Reader:
    """A cursor over the bytes of the file, reading DataOutputStream's big-endian encodings."""

    def __init__(self, data, pos, path):
        self.data, self.pos, self.path = data, pos, path

    def take(self, n):
        if self.pos + n > len(self.data):
            raise SystemExit(f"error: {self.path}: truncated array at byte {self.pos}")
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def unpack(self, fmt):
        return struct.unpack(">" + fmt, self.take(struct.calcsize(">" + fmt)))

    def utf(self):
        (n,) = self.unpack("H")
        return self.take(n).decode("utf-8")


def read_arrays(path):
    """The arrays of a DJL .params file, in file order: a list of (name, numpy float32 array)."""
    import numpy as np
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise SystemExit(f"error: cannot read {path}: {e}")
    if not data.startswith(b"DJL@"):
        raise SystemExit(f"error: {path} is not a DJL parameter file (no DJL@ magic)")
    arrays, pos = [], 0
    while True:
        start = data.find(NDAR, pos)
        if start < 0:
            break
        r = Reader(data, start + len(NDAR), path)
        (version,) = r.unpack("i")
        if version != ARRAY_VERSION:
            raise SystemExit(f"error: {path}: array at byte {start} has encoding version {version}, "
                             f"this reader knows {ARRAY_VERSION} (DJL 0.36)")
        (named,) = r.unpack("?")
        name = r.utf() if named else ""
        sparse, dtype = r.utf(), r.utf()
        if sparse != "DENSE" or dtype != "FLOAT32":
            raise SystemExit(f"error: {path}: array {name!r} is {sparse} {dtype}; only DENSE FLOAT32 is read")
        (rank,) = r.unpack("i")
        shape = r.unpack("q" * rank)
        (layout_len,) = r.unpack("i")
        r.take(2 * layout_len)  # layout chars ('?' = undefined): not needed
        order = r.take(1)
        if order not in (b"<", b">"):
            raise SystemExit(f"error: {path}: array {name!r} has byte order {order!r}")
        (nbytes,) = r.unpack("i")
        count = int(np.prod(shape)) if rank else 1
        if nbytes != 4 * count:
            raise SystemExit(f"error: {path}: array {name!r} of shape {shape} holds {nbytes} bytes, "
                             f"expected {4 * count}")
        values = np.frombuffer(r.take(nbytes), dtype=("<f4" if order == b"<" else ">f4")).astype(np.float32)
        arrays.append((name, values.reshape(shape)))
        pos = r.pos
    if not arrays:
        raise SystemExit(f"error: {path}: no arrays found")
    return arrays


def read_card(model_dir):
    """The model card (model/model.json) of an nst4j model folder (or of its model/ folder itself)."""
    for folder in (os.path.join(model_dir, "model"), model_dir):
        card_path = os.path.join(folder, "model.json")
        if os.path.isfile(card_path):
            with open(card_path, encoding="utf-8") as f:
                return folder, json.load(f)
    raise SystemExit(f"error: {model_dir}: no model/model.json (not an nst4j model folder)")


def depth_of(architecture):
    """n of CifarResNet (depth 6n + 2) for nst4j's resnetD names; fails for any other architecture."""
    if architecture.startswith("resnet") and architecture[6:].isdigit():
        depth = int(architecture[6:])
        if depth >= 8 and (depth - 2) % 6 == 0:
            return (depth - 2) // 6
    raise SystemExit(f"error: architecture {architecture!r} is not a CIFAR-style ResNet (resnet8, resnet20, ...)")


def convert(model_dir):
    """(state_dict, card) of CifarResNet holding the weights of the nst4j model in `model_dir`."""
    import torch
    import fmnist_epoch as fe
    folder, card = read_card(model_dir)
    n = depth_of(card.get("architecture", ""))
    if card.get("input_channels") != 1 or card.get("num_classes") != fe.CLASSES:
        raise SystemExit(f"error: {model_dir}: {card.get('input_channels')} input channels and "
                         f"{card.get('num_classes')} classes; CifarResNet here takes 1 and {fe.CLASSES}")
    arrays = read_arrays(os.path.join(folder, card.get("params_file", "model-0000.params")))
    net = fe.CifarResNet(n)
    keys = [k for k in net.state_dict() if not k.endswith("num_batches_tracked")]
    if len(keys) != len(arrays):
        raise SystemExit(f"error: {model_dir}: {len(arrays)} arrays in the file, CifarResNet-{6 * n + 2} has "
                         f"{len(keys)} tensors")
    target = net.state_dict()
    state = {}
    for key, (name, value) in zip(keys, arrays):
        suffix = key.rsplit(".", 1)[1]
        if suffix not in KIND.get(name, ()):
            raise SystemExit(f"error: {model_dir}: DJL parameter {name!r} lands on {key}: the layer order differs")
        if tuple(target[key].shape) != value.shape:
            raise SystemExit(f"error: {model_dir}: {key} has shape {tuple(target[key].shape)}, the file's "
                             f"{name} {value.shape}")
        state[key] = torch.from_numpy(value.copy())
    for key, value in target.items():
        if key.endswith("num_batches_tracked"):
            state[key] = value  # unused in eval mode
    net.load_state_dict(state)
    return net.state_dict(), card


def parse_args(argv=None):
    p = argparse.ArgumentParser(description="nst4j CIFAR-style ResNet (DJL .params) -> CifarResNet state_dict.")
    p.add_argument("--model", required=True, help="nst4j model folder (holding model/model.json), e.g. "
                                                  "models/fmnist-resnet20")
    p.add_argument("--out", required=True, help="the state_dict .pt to write")
    p.add_argument("--check", action="store_true",
                   help="compare with nst4j's logits (needs the CLI jar) and print the test accuracy")
    p.add_argument("--check-images", type=int, default=256, help="test images for the logit comparison")
    p.add_argument("--data", default="/usr/share/datasets/fashion-mnist",
                   help="folder of the Fashion-MNIST gz IDX files, for --check")
    a = p.parse_args(argv)
    if a.check_images < 1:
        p.error("--check-images must be >= 1")
    return a


LOGIT_TOLERANCE = 1e-4  # of the largest |logit|: float32 summation order differs between the two runtimes


def check(state, card, a):
    """Compares the converted model with nst4j on real test images; exits with an error line on a mismatch."""
    import numpy as np
    import torch
    import fmnist_epoch as fe
    net = fe.CifarResNet(depth_of(card["architecture"]))
    net.load_state_dict(state)
    net.eval()
    images, labels = fe.load_split(a.data, "t10k")
    mean, std = card["normalization_mean"][0], card["normalization_std"][0]
    x = torch.from_numpy(images.astype(np.float32) / 255.0).sub_(mean).div_(std).unsqueeze(1)
    n = min(a.check_images, x.shape[0])
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(os.path.dirname(here))
    cp = os.pathsep.join([os.path.join(root, "nst4j-cli", "target", "nst4j.jar"),
                          os.path.join(root, "nst4j-cli", "target", "lib", "*")])
    with tempfile.TemporaryDirectory() as tmp:
        x_path, logits_path = os.path.join(tmp, "images.f32be"), os.path.join(tmp, "logits.f32le")
        x[:n].numpy().astype(">f4").tofile(x_path)
        folder, _ = read_card(a.model)
        run = subprocess.run(["java", "-cp", cp, os.path.join(here, "DjlLogits.java"), os.path.dirname(folder)
                              if os.path.basename(folder) == "model" else folder, x_path, str(n), "1", "28", "28",
                              logits_path], capture_output=True, text=True)
        if run.returncode != 0:
            raise SystemExit(f"error: DjlLogits failed: {run.stderr.strip().splitlines()[-1:]}")
        djl = torch.from_numpy(np.fromfile(logits_path, dtype="<f4").reshape(n, -1).copy())
    with torch.no_grad():
        ours = net(x[:n])[0]
        correct = 0
        for i in range(0, x.shape[0], 500):
            correct += int((net(x[i:i + 500])[0].argmax(1) == torch.from_numpy(labels[i:i + 500].astype(
                np.int64))).sum())
    diff = float((ours - djl).abs().max())
    largest = float(djl.abs().max())
    print(f"logits on the first {n} test images: max |diff| {diff:.3g}, largest |logit| {largest:.4g} "
          f"(relative {diff / largest:.3g}), same argmax on {int((ours.argmax(1) == djl.argmax(1)).sum())}/{n}")
    print(f"test accuracy of the converted model: {correct / x.shape[0]:.4f} ({x.shape[0]} images); "
          f"the card's: {card.get('test_accuracy')}")
    if diff > LOGIT_TOLERANCE * largest:
        raise SystemExit(f"error: the converted model's logits differ from nst4j's by {diff:.3g}, more than "
                         f"{LOGIT_TOLERANCE:g} of the largest")


def main(a):
    import torch
    state, card = convert(a.model)
    torch.save(state, a.out)
    count = sum(v.numel() for k, v in state.items() if not k.endswith(("running_mean", "running_var",
                                                                          "num_batches_tracked")))
    print(f"wrote {a.out}: {card['architecture']} from {a.model}, {count:,} parameters "
          f"(card test accuracy {card.get('test_accuracy')})")
    if a.check:
        check(state, card, a)


if __name__ == "__main__":
    main(parse_args())
