"""Runs the PyTorch export snippet of README.md ("A teacher from PyTorch") as written, with Debian's
python3-torch, and checks the TorchScript file it saves:

    /usr/bin/python3 src/test/resources/org/nst4j/model/torchscript/check_readme_export.py [README.md]

torchvision is not packaged for Debian's python3-torch, so a stand-in with torchvision's ResNet-18 layout
(the same modules and state_dict keys) is put on the path; the snippet's resnet18-cifar10.pth is the
stand-in's seeded initial weights. Everything happens in a temporary folder. Checks: forward returns
(logits, layer1..layer4) of the expected shapes for 32x32 images, and on nst4j-normalised input equals the
network on its own normalisation. Then the README's second snippet (the bfloat16 recipe) runs on the first
one's `teacher`: its file returns float32 outputs of the same shapes, within bfloat16 rounding of teacher.pt's
and not equal to them.
"""
import os
import re
import runpy
import sys
import tempfile

import torch
import torch.nn as nn

FAKE_TORCHVISION = '''
from typing import Optional
import torch
import torch.nn as nn


class BasicBlock(nn.Module):
    def __init__(self, inplanes, planes, stride=1, downsample: Optional[nn.Module] = None):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample

    def forward(self, x):
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.downsample is not None:
            identity = self.downsample(x)
        return self.relu(out + identity)


class ResNet(nn.Module):
    def __init__(self, layers, num_classes=1000):
        super().__init__()
        self.inplanes = 64
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        self.layer1 = self._make(64, layers[0], 1)
        self.layer2 = self._make(128, layers[1], 2)
        self.layer3 = self._make(256, layers[2], 2)
        self.layer4 = self._make(512, layers[3], 2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512, num_classes)

    def _make(self, planes, blocks, stride):
        down = None
        if stride != 1 or self.inplanes != planes:
            down = nn.Sequential(nn.Conv2d(self.inplanes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))
        layers = [BasicBlock(self.inplanes, planes, stride, down)]
        self.inplanes = planes
        layers += [BasicBlock(planes, planes) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return self.fc(torch.flatten(self.avgpool(x), 1))


def resnet18(num_classes=1000):
    return ResNet([2, 2, 2, 2], num_classes)
'''


def main():
    readme = sys.argv[1] if len(sys.argv) > 1 else "README.md"
    with open(readme, encoding="utf-8") as f:
        text = f.read()
    section = text[text.index("### A teacher from PyTorch"):]
    snippet, bf16_snippet = re.findall(r"```python\n(.*?)```", section, re.S)[:2]
    with tempfile.TemporaryDirectory() as tmp:
        os.makedirs(os.path.join(tmp, "torchvision"))
        with open(os.path.join(tmp, "torchvision", "__init__.py"), "w") as f:
            f.write("from . import models\n")
        with open(os.path.join(tmp, "torchvision", "models.py"), "w") as f:
            f.write(FAKE_TORCHVISION)
        with open(os.path.join(tmp, "snippet.py"), "w") as f:
            f.write(snippet)
        with open(os.path.join(tmp, "bf16_snippet.py"), "w") as f:
            f.write(bf16_snippet)
        sys.path.insert(0, tmp)
        os.chdir(tmp)
        import torchvision
        torch.manual_seed(0)
        net = torchvision.models.resnet18(num_classes=10)
        net.conv1 = nn.Conv2d(3, 64, 3, 1, 1, bias=False)
        net.maxpool = nn.Identity()
        torch.save(net.state_dict(), "resnet18-cifar10.pth")

        ns = runpy.run_path("snippet.py", run_name="__main__")  # the README's code, unchanged
        teacher = torch.jit.load("teacher.pt")
        raw = torch.rand(4, 3, 32, 32)
        mean = torch.tensor([0.4914, 0.4822, 0.4465]).view(1, 3, 1, 1)
        std = torch.tensor([0.2470, 0.2435, 0.2616]).view(1, 3, 1, 1)
        with torch.no_grad():
            out = teacher((raw - mean) / std)
            want = ns["net"].eval()((raw - 0.5) / 0.5)
        shapes = [tuple(o.shape) for o in out]
        assert shapes == [(4, 10), (4, 64, 32, 32), (4, 128, 16, 16), (4, 256, 8, 8), (4, 512, 4, 4)], shapes
        diff = (out[0] - want).abs().max().item()
        assert diff < 1e-4, diff
        print(f"README export snippet ok: teacher.pt returns {shapes}; max |logits - net's| = {diff:.2e}")

        # The bfloat16 recipe, run on the first snippet's `teacher` as the README says.
        runpy.run_path("bf16_snippet.py", init_globals=ns, run_name="__main__")
        bf16 = torch.jit.load("teacher-bf16.pt")
        with torch.no_grad():
            got = bf16((raw - mean) / std)
        assert [tuple(o.shape) for o in got] == shapes, [tuple(o.shape) for o in got]
        assert all(o.dtype == torch.float32 for o in got), [o.dtype for o in got]
        # 8 significant bits, rounded once per weight layer (18 on the way to layer4, 1 more for the logits)
        worst = max(((g - w).abs().max() / w.abs().max()).item() for g, w in zip(got, out))
        assert 0 < worst <= 19 * 2 ** -8, worst
        print(f"README bfloat16 recipe ok: teacher-bf16.pt returns float32 {shapes}, within {worst:.3g} of "
              f"teacher.pt's largest value per output")


if __name__ == "__main__":
    main()
