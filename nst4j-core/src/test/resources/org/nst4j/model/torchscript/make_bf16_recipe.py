"""Makes bf16-recipe.pt, the fixture of TorchScriptBf16TeacherTest: teacher.pt's network put through the
bfloat16 recipe of README.md ("A teacher from PyTorch": BatchNorm folded in float32 by torch.fx's conv-BN
fusion, weights rounded to bfloat16 once, forward casting its input to bfloat16 and every output back to
float32, scripted and frozen). Run with Debian's python3-torch, in this folder:

    /usr/bin/python3 make_bf16_recipe.py

The recipe's wrapper is written here for teacher.pt's three outputs (logits, map1, map2) instead of the
README's five; nothing else differs.
"""
import os
import sys

import torch
from torch.fx.experimental.optimization import fuse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_teacher import Teacher  # noqa: E402


class Bf16Teacher(torch.nn.Module):
    """Computes in bfloat16 and returns float32: DJL 0.36 cannot hold a bfloat16 tensor."""

    def __init__(self, teacher):
        super().__init__()
        # BatchNorm folded into the convolutions in float32 first, then the weights rounded to bfloat16 once.
        self.teacher = fuse(teacher.eval()).to(torch.bfloat16)

    def forward(self, x):
        logits, map1, map2 = self.teacher(x.to(torch.bfloat16))
        return logits.float(), map1.float(), map2.float()


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    net = Teacher()
    net.load_state_dict(torch.jit.load(os.path.join(here, "teacher.pt")).state_dict())
    torch.jit.freeze(torch.jit.script(Bf16Teacher(net).eval())).save(os.path.join(here, "bf16-recipe.pt"))
    print("wrote bf16-recipe.pt")


if __name__ == "__main__":
    main()
