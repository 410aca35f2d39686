#!/usr/bin/python3
"""Per-phase milliseconds of one FMNIST-10k training step in PyTorch-Python (reference for nst4j's
`./nst4j bench profile`, which reports the same phases of the Java step).

Uses the models and losses of fmnist_epoch.py on one fixed random batch of 64 (data loading is not a
phase here: fmnist_epoch.py times it inside its epochs), after 20 untimed warm-up steps:
  teacher          ResNet-20 forward under torch.no_grad(), eval mode (kd+nst-poly only)
  student_forward  ResNet-8 forward in training mode
  loss             the objective (CE, or KD + NST-poly λ=50 on the last tap)
  backward         loss.backward() (with zero_grad(set_to_none=True) before it)
  optimizer        SGD Nesterov step with weight decay

Usage: /usr/bin/python3 bench/pytorch/step_phases.py [--method ce|kd+nst-poly] [--threads N]
           [--steps N] [--channels-last]
"""

import argparse
import json
import os
import sys
import time

p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
p.add_argument("--method", choices=("ce", "kd+nst-poly"), default="ce")
p.add_argument("--threads", type=int, default=2)
p.add_argument("--steps", type=int, default=150, help="timed steps (default 150)")
p.add_argument("--channels-last", action="store_true",
               help="models and input in torch.channels_last memory format")
a = p.parse_args()
os.environ["OMP_NUM_THREADS"] = str(a.threads)
os.environ["OPENBLAS_NUM_THREADS"] = str(a.threads)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
import fmnist_epoch as fe  # noqa: E402

torch.set_num_threads(a.threads)
torch.manual_seed(0)
fmt = torch.channels_last if a.channels_last else torch.contiguous_format
student = fe.resnet8().to(memory_format=fmt).train()
teacher = None
if a.method == "kd+nst-poly":
    teacher = fe.resnet20().to(memory_format=fmt).eval()
    for q in teacher.parameters():
        q.requires_grad_(False)
opt = torch.optim.SGD(student.parameters(), lr=fe.LR, momentum=fe.MOMENTUM, nesterov=True,
                      weight_decay=fe.WEIGHT_DECAY)
x = torch.randn(fe.BATCH, 1, 28, 28).contiguous(memory_format=fmt)
y = torch.randint(0, fe.CLASSES, (fe.BATCH,))
phases = ["teacher", "student_forward", "loss", "backward", "optimizer"]
total = dict.fromkeys(phases, 0.0)
for i in range(20 + a.steps):
    t0 = time.perf_counter()
    if teacher is not None:
        with torch.no_grad():
            zt, taps_t = teacher(x)
    t1 = time.perf_counter()
    zs, taps_s = student(x)
    t2 = time.perf_counter()
    if teacher is None:
        loss = F.cross_entropy(zs, y)
    else:
        loss = fe.kd_loss(zs, zt, y) + fe.nst_term(taps_s[-1], taps_t[-1])
    t3 = time.perf_counter()
    opt.zero_grad(set_to_none=True)
    loss.backward()
    t4 = time.perf_counter()
    opt.step()
    t5 = time.perf_counter()
    if i >= 20:
        for k, d in zip(phases, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4)):
            total[k] += d
ms = {k: round(1000 * v / a.steps, 2) for k, v in total.items()}
ms["step"] = round(sum(ms.values()), 2)
print(json.dumps({"torch": torch.__version__, "threads": a.threads, "method": a.method,
                  "channels_last": a.channels_last, "ms_per_step": ms}))
