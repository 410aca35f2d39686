"""Makes the tiny TorchScript teachers used by nst4j's tests (run with Debian's python3-torch):

    /usr/bin/python3 make_teacher.py [OUT_DIR]

teacher.pt       a 2-conv CNN for 1x28x28 Fashion-MNIST images, 10 classes, trained for one epoch on the
                 Fashion-MNIST training set (/usr/share/datasets/fashion-mnist) normalised as nst4j does
                 (x/255 - 0.2860) / 0.3530; forward returns the tuple (logits, map1, map2):
                 logits 10, map1 8x14x14, map2 16x7x7.
probe-input.f32  four test images, normalised (4x1x28x28 float32, little-endian, C order)
probe-logits.f32 the teacher's logits for them in eval mode (4x10)
probe-map2.f32   its map2 for them (4x16x7x7)
bare.pt          same network returning its logits alone (not a tuple): nst4j must refuse it
five-classes.pt  same network with 5 classes: nst4j must refuse it on 10-class data
"""
import gzip
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

MEAN, STD = 0.2860, 0.3530
SRC = "/usr/share/datasets/fashion-mnist"


class Teacher(nn.Module):
    def __init__(self, classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 16, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(16)
        self.fc = nn.Linear(16, classes)

    def forward(self, x):
        map1 = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)
        map2 = F.max_pool2d(F.relu(self.bn2(self.conv2(map1))), 2)
        logits = self.fc(map2.mean(dim=(2, 3)))
        return logits, map1, map2


class Bare(nn.Module):
    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, x):
        return self.inner(x)[0]


def idx(name):
    with gzip.open(os.path.join(SRC, name)) as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * dims).reshape(shape)


def normalise(images):
    return torch.from_numpy((images.astype(np.float32) / 255 - MEAN) / STD).unsqueeze(1)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    torch.manual_seed(0)
    x = normalise(idx("train-images-idx3-ubyte.gz"))
    y = torch.from_numpy(idx("train-labels-idx1-ubyte.gz").astype(np.int64))
    model = Teacher()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True, weight_decay=5e-4)
    model.train()
    order = torch.randperm(len(x))
    for i in range(0, len(x) - 127, 128):
        b = order[i:i + 128]
        loss = F.cross_entropy(model(x[b])[0], y[b])
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    tx = normalise(idx("t10k-images-idx3-ubyte.gz"))
    ty = torch.from_numpy(idx("t10k-labels-idx1-ubyte.gz").astype(np.int64))
    with torch.no_grad():
        acc = (model(tx)[0].argmax(1) == ty).float().mean().item()
        probe = tx[:4].contiguous()
        logits, _, map2 = model(probe)
        # nst4j's embedded sample holds the first 100 test images of each class, in file order.
        first = torch.cat([torch.nonzero(ty == k).flatten()[:100] for k in range(10)])
        sample_acc = (model(tx[first])[0].argmax(1) == ty[first]).float().mean().item()
    print(f"teacher test accuracy {acc:.4f}, on the sample's 1,000 test images {sample_acc:.4f}")
    torch.jit.script(model).save(os.path.join(out, "teacher.pt"))
    probe.numpy().astype("<f4").tofile(os.path.join(out, "probe-input.f32"))
    logits.numpy().astype("<f4").tofile(os.path.join(out, "probe-logits.f32"))
    map2.numpy().astype("<f4").tofile(os.path.join(out, "probe-map2.f32"))
    torch.jit.script(Bare(model).eval()).save(os.path.join(out, "bare.pt"))
    torch.manual_seed(1)
    torch.jit.script(Teacher(classes=5).eval()).save(os.path.join(out, "five-classes.pt"))


if __name__ == "__main__":
    main()
