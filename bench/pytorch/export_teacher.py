#!/usr/bin/python3
"""Exports fmnist_epoch.py's teacher as an nst4j TorchScript teacher, float32 or computing in bfloat16.

The module is fmnist_epoch.frozen_teacher: scripted and frozen (BatchNorm folded into the convolutions),
forward(x) -> (logits, tap1, tap2, tap3), float32 in and out. With --bf16 the BatchNorm is folded in float32
first, the folded weights are rounded to bfloat16 once, and the forward casts its input to bfloat16 and every
output back to float32: DJL 0.36 cannot hold a bfloat16 tensor (creating one aborts the JVM), so the cast back
must happen inside forward. `nst4j bench compare` runs this once per comparison for its bf16 row and loads the
file with `bench profile --teacher FILE`; the README's "A teacher from PyTorch" gives the same recipe for any
teacher.

Before writing, the exported module is checked against the float32 eager teacher on a seeded random batch:
every output within (number of weight layers) x 2^-8 of that output's largest magnitude (bfloat16 keeps 8
significant bits, and each layer rounds its activations once), and, for --bf16, not equal to it (it really
computed in bfloat16).

Usage: /usr/bin/python3 bench/pytorch/export_teacher.py [--bf16] [--teacher STATE_DICT.pt] [--seed S]
           [--depth 20|8] --out FILE.pt
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def parse_args(argv=None):
    p = argparse.ArgumentParser(description="Export the bench teacher as an nst4j TorchScript teacher.")
    p.add_argument("--out", required=True, help="the .pt file to write")
    p.add_argument("--bf16", action="store_true",
                   help="compute in bfloat16 inside forward (outputs float32); default float32")
    p.add_argument("--teacher", default=None,
                   help="state_dict (.pt) of fmnist_epoch.py's CifarResNet; default: its seeded random init")
    p.add_argument("--seed", type=int, default=0,
                   help="the seed fmnist_epoch.py runs with (its random teacher uses seed + 1; default 0)")
    p.add_argument("--depth", type=int, choices=(20, 8), default=20,
                   help="ResNet depth: 20 (the bench's teacher, default) or 8 (the small test fixture)")
    return p.parse_args(argv)


def main(a):
    import torch
    import fmnist_epoch as fe

    teacher = fe.make_teacher(a.seed, a.teacher, n=(a.depth - 2) // 6)
    module = fe.frozen_teacher(teacher, bf16=a.bf16)
    g = torch.Generator().manual_seed(1234)
    x = torch.randn(16, 1, 28, 28, generator=g)
    with torch.no_grad():
        logits, taps = teacher(x)
        want = [logits] + list(taps)
        got = module(x)
    bound = a.depth * 2.0 ** -8 if a.bf16 else 1e-5
    worst = 0.0
    for i, (g_, w) in enumerate(zip(got, want)):
        if g_.dtype != torch.float32 or g_.shape != w.shape:
            raise SystemExit(f"error: output {i} is {g_.dtype} {tuple(g_.shape)}, expected float32 "
                             f"{tuple(w.shape)}")
        rel = float((g_ - w).abs().max() / w.abs().max().clamp_min(1e-30))
        worst = max(worst, rel)
        if rel > bound:
            raise SystemExit(f"error: output {i} differs from the float32 teacher by {rel:.3g} of its "
                             f"largest value, more than {bound:.3g}")
    if a.bf16 and worst == 0.0:
        raise SystemExit("error: the bfloat16 module returns exactly the float32 outputs: it did not compute "
                         "in bfloat16")
    module.save(a.out)
    print(f"wrote {a.out}: ResNet-{a.depth} teacher "
          f"({a.teacher or f'random init, seed {a.seed} + 1'}), {'bfloat16' if a.bf16 else 'float32'} inside, "
          f"frozen; outputs within {worst:.3g} of the float32 teacher's largest value (bound {bound:.3g})")


if __name__ == "__main__":
    main(parse_args())
