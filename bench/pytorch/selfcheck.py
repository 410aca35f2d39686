#!/usr/bin/python3
"""Self-checks of fmnist_epoch.py's pieces against slow, obvious reference code.

Run: /usr/bin/python3 bench/pytorch/selfcheck.py   (a few seconds; exits 1 on the first failure)
"""

import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fmnist_epoch as fe  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

torch.manual_seed(0)
failures = 0


def check(name, ok):
    global failures
    print(("ok   " if ok else "FAIL ") + name)
    failures += 0 if ok else 1


# Augmenter == per-image pad/crop/flip done naively with the same random draws.
x = torch.randn(20, 1, 28, 28)
g1 = torch.Generator().manual_seed(5)
aug = fe.Augmenter(x, g1)
idx = torch.tensor([3, 0, 19, 7, 7, 12])
got = aug.batch(idx)
g2 = torch.Generator().manual_seed(5)
oy = torch.randint(0, 5, (6, 1), generator=g2)
ox = torch.randint(0, 5, (6, 1), generator=g2)
flip = torch.rand((6, 1), generator=g2) < 0.5
bg = (0 - fe.MEAN) / fe.STD
ref = []
for k, i in enumerate(idx.tolist()):
    p = torch.full((32, 32), bg)
    p[2:30, 2:30] = x[i, 0]
    c = p[oy[k, 0]:oy[k, 0] + 28, ox[k, 0]:ox[k, 0] + 28]
    ref.append(c.flip(-1) if flip[k, 0] else c)
ref = torch.stack(ref).unsqueeze(1)
check("augmenter matches per-image pad+crop+flip", torch.equal(got, ref))
check("augmenter draws both flip states", bool(flip.any()) and not bool(flip.all()))


# NST poly: both Gram forms == pairwise definition; MMD²(X,X)=0; symmetric; scale invariant.
def mmd_pairwise(fs, ft):
    b = fs.shape[0]
    out = []
    for n in range(b):
        s = fs[n].reshape(fs.shape[1], -1)
        t = ft[n].reshape(ft.shape[1], -1)
        s = s / s.norm(dim=1, keepdim=True).clamp_min(1e-12)
        t = t / t.norm(dim=1, keepdim=True).clamp_min(1e-12)
        k = lambda a, c: (a @ c.T) ** 2  # noqa: E731
        out.append(k(s, s).mean() + k(t, t).mean() - 2 * k(s, t).mean())
    return torch.stack(out)


for (cs, ct, h) in [(64, 64, 7), (8, 6, 7), (16, 16, 2)]:  # HW×HW, C×C, HW×HW paths
    fs = torch.randn(3, cs, h, h, dtype=torch.float64)
    ft = torch.randn(3, ct, h, h, dtype=torch.float64)
    check(f"poly MMD² == pairwise (Cs={cs}, Ct={ct}, HW={h * h})",
          torch.allclose(fe.nst_poly_mmd2(fs, ft), mmd_pairwise(fs, ft), atol=1e-12))
    check(f"poly MMD² symmetric (Cs={cs}, Ct={ct})",
          torch.allclose(fe.nst_poly_mmd2(fs, ft), fe.nst_poly_mmd2(ft, fs), atol=1e-12))
fs = torch.randn(2, 64, 7, 7, dtype=torch.float64)
check("MMD²(X,X) = 0", float(fe.nst_poly_mmd2(fs, fs).abs().max()) < 1e-12)
scale = torch.rand(1, 64, 1, 1, dtype=torch.float64) + 0.1
ft = torch.randn(2, 64, 7, 7, dtype=torch.float64)
check("MMD² invariant to positive channel scaling",
      torch.allclose(fe.nst_poly_mmd2(fs * scale, ft), fe.nst_poly_mmd2(fs, ft), atol=1e-12))
check("MMD² >= 0", float(fe.nst_poly_mmd2(fs, ft).min()) >= -1e-12)
big = torch.randn(2, 8, 14, 14, dtype=torch.float64)
check("spatial mismatch pools the larger map",
      torch.allclose(fe.nst_poly_mmd2(big, ft[:, :8]),
                     mmd_pairwise(F.adaptive_avg_pool2d(big, 7), ft[:, :8]), atol=1e-12))
check("nst_term = λ/2 · batch mean", math.isclose(
    float(fe.nst_term(fs, ft)), 25.0 * float(mmd_pairwise(fs, ft).mean()), rel_tol=1e-10))

# KD against its definition.
zs, zt, y = torch.randn(5, 10, dtype=torch.float64), torch.randn(5, 10, dtype=torch.float64), \
    torch.randint(0, 10, (5,))
pt = F.softmax(zt / 4, 1)
kl = (pt * (pt.log() - F.log_softmax(zs / 4, 1))).sum(1).mean()
ref = 0.1 * F.cross_entropy(zs, y) + 0.9 * 16 * kl
check("KD == (1-α)CE + αT²KL", math.isclose(float(fe.kd_loss(zs, zt, y)), float(ref), rel_tol=1e-12))

# Models: shapes, taps, parameter counts, init.
s, t = fe.resnet8(), fe.resnet20()
z, taps = s(torch.randn(2, 1, 28, 28))
check("ResNet-8 logits 2×10", tuple(z.shape) == (2, 10))
check("taps 16×28×28, 32×14×14, 64×7×7",
      [tuple(m.shape[1:]) for m in taps] == [(16, 28, 28), (32, 14, 14), (64, 7, 7)])
ns = sum(p.numel() for p in s.parameters())
nt = sum(p.numel() for p in t.parameters())
print(f"     parameters: ResNet-8 {ns}, ResNet-20 {nt}")
check("ResNet-20 has 3 blocks per stage", all(len(st) == 3 for st in t.stages))
w = t.stages[2][1].conv1.weight  # 64×64×3×3, fan_out = 64·9
check("conv init std ≈ sqrt(2/fan_out)", abs(float(w.std()) - math.sqrt(2 / (64 * 9))) < 0.005)
check("linear init within ±1/sqrt(64)", float(s.fc.weight.abs().max()) <= 0.125
      and float(s.fc.bias.abs().max()) <= 0.125)
check("cosine lr: 0.05 at step 0, 0.025 at half, 0 at end", fe.cosine_lr(0, 10) == 0.05
      and abs(fe.cosine_lr(5, 10) - 0.025) < 1e-15 and abs(fe.cosine_lr(10, 10)) < 1e-15)

# Teacher modes: the frozen teacher folds BatchNorm (trained-looking statistics, so the fold is not the
# identity) and equals the eager one within float rounding; the bf16 one computes in bfloat16 and returns
# float32 within bfloat16 rounding (8 significant bits, once per weight layer: 20 for ResNet-20).
teacher = fe.make_teacher(3)
g = torch.Generator().manual_seed(7)
for m in teacher.modules():
    if isinstance(m, torch.nn.BatchNorm2d):
        m.running_mean.copy_(0.1 * torch.randn(m.running_mean.shape, generator=g))
        m.running_var.copy_(0.5 + torch.rand(m.running_var.shape, generator=g))
        m.weight.data.copy_(0.5 + torch.rand(m.weight.shape, generator=g))
        m.bias.data.copy_(0.1 * torch.randn(m.bias.shape, generator=g))
x = torch.randn(8, 1, 28, 28, generator=g)
with torch.no_grad():
    zt, taps_t = teacher(x)
want = [zt] + list(taps_t)
for bf16, bound in ((False, 1e-5), (True, 20 * 2 ** -8)):
    mod = fe.frozen_teacher(teacher, bf16=bf16)
    with torch.inference_mode():
        got = mod(x)
    rel = max(float((a - b).abs().max() / b.abs().max()) for a, b in zip(got, want))
    name = "bf16" if bf16 else "frozen"
    check(f"{name} teacher returns float32 (logits, tap1, tap2, tap3) of the eager shapes",
          [o.dtype for o in got] == [torch.float32] * 4
          and [o.shape for o in got] == [o.shape for o in want])
    check(f"{name} teacher within {bound:.3g} of the eager teacher ({rel:.3g})",
          rel <= bound and (rel > 1e-4 if bf16 else True))
    check(f"{name} teacher has no BatchNorm left", "batch_norm" not in mod.code)
check("the random teacher depends on its seed only",
      all(torch.equal(a, b) for a, b in zip(fe.make_teacher(3).state_dict().values(),
                                            (fe.resnet8(), fe.make_teacher(3))[1].state_dict().values())))

print("all checks passed" if failures == 0 else f"{failures} check(s) failed")
sys.exit(1 if failures else 0)
