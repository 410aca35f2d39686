#!/usr/bin/python3
"""Checks `nst4j loss` against an independent PyTorch computation of the transfer-losses-2 formulas.

Issue 12's acceptance: `loss` prints totals for the parameter-free methods (dkd, rkd, pkt, sp, kdsvd, with
`--logit-std` where it applies) that agree with an independent PyTorch computation of the spec's formulas
within a relative error of 1e-4. This script writes seeded random tensors of realistic shapes as .npy, runs
`<repo>/nst4j loss` on them, computes every term here with torch ops in float64 from the spec text
(/work/shared/spec/transfer-losses-2.md; the kd term from transfer-losses.md), and prints one table row per
case. Exit status 1 when any case disagrees (or nst4j fails), 0 when all agree.

Run with the system interpreter, which has torch: /usr/bin/python3 bench/pytorch/loss_reference.py
"""
import argparse
import datetime
import json
import math
import os
import platform
import subprocess
import sys
import tempfile


def parse_args():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nst4j", default=os.path.normpath(os.path.join(here, "..", "..")),
                    help="the nst4j repository whose ./nst4j launcher is run (default: this script's repo)")
    ap.add_argument("--out", help="also write the report as Markdown to this file")
    ap.add_argument("--work", help="folder for the .npy inputs (default: a temporary folder, deleted)")
    ap.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    ap.add_argument("--tolerance", type=float, default=1e-4, help="largest relative error (default 1e-4)")
    ap.add_argument("--only", help="comma-separated methods to check (default: all)")
    return ap.parse_args()


ARGS = parse_args()
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(ARGS.threads)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

torch.set_num_threads(ARGS.threads)
DT = torch.float64

# ---------------------------------------------------------------------------------------------------------
# The formulas, from the spec text. Every function takes float64 tensors and returns a 0-d float64 tensor.
# ---------------------------------------------------------------------------------------------------------


def cross_entropy(z_s, y):
    """CE of the student's raw logits, batch mean (the CE every term is added to)."""
    return F.cross_entropy(z_s, y, reduction="mean")


def standardise(z):
    """Logit standardisation (spec part 2): (z − mean(z)) / (std(z) + 1e-7) per row, std with Bessel's correction."""
    return (z - z.mean(dim=1, keepdim=True)) / (z.std(dim=1, unbiased=True, keepdim=True) + 1e-7)


def kd_term(z_s, z_t, temperature):
    """KD (spec part 1): T²·KL(softmax(z_t/T) ‖ softmax(z_s/T)), summed over classes, mean over the batch."""
    log_p_s = F.log_softmax(z_s / temperature, dim=1)
    log_p_t = F.log_softmax(z_t / temperature, dim=1)
    return temperature ** 2 * F.kl_div(log_p_s, log_p_t, log_target=True, reduction="batchmean")


def dkd_term(z_s, z_t, y, alpha, beta, temperature):
    """DKD (spec part 2) at w(e) = 1: α·TCKD + β·NCKD.

    TCKD = T²·KL(b_t ‖ b_s) with b = (p[y], 1 − p[y]); NCKD = T²·KL(p̃_t ‖ p̃_s) with p̃ the softmax of z/T over
    the K − 1 non-target classes. log p[y] and log(1 − p[y]) are taken as log-sum-exps over the target and the
    non-target classes (exact, and free of the cancellation of 1 − p[y]).
    """
    k = z_s.shape[1]
    target = F.one_hot(y, k).bool()

    def parts(z):
        zt = z / temperature
        all_ = torch.logsumexp(zt, dim=1)
        others = zt[~target].view(-1, k - 1)  # non-target classes, in class order
        log_b = torch.stack([zt[target] - all_, torch.logsumexp(others, dim=1) - all_], dim=1)
        return log_b, F.log_softmax(others, dim=1)

    log_b_s, log_q_s = parts(z_s)
    log_b_t, log_q_t = parts(z_t)
    t2 = temperature ** 2
    tckd = t2 * F.kl_div(log_b_s, log_b_t, log_target=True, reduction="batchmean")
    nckd = t2 * F.kl_div(log_q_s, log_q_t, log_target=True, reduction="batchmean")
    return alpha * tckd + beta * nckd


def pooled(f):
    """Global average pool of a B×C×H×W tap: B×C."""
    return f.mean(dim=(2, 3))


def rkd_term(p_s, p_t, w_d, w_a):
    """RKD (spec part 2) on pooled features B×C: w_d·SmoothL1(d_s, d_t) + w_a·SmoothL1(angle_s, angle_t), β = 1."""

    def distances(p):
        diff = p.unsqueeze(1) - p.unsqueeze(0)  # [i, j] = p_i − p_j
        d = diff.pow(2).sum(dim=2).clamp_min(1e-12).sqrt()
        off = ~torch.eye(p.shape[0], dtype=torch.bool)
        d = d * off  # diagonal set to 0
        return d / d[off].mean()  # divided by the mean of the off-diagonal distances

    def angles(p):
        diff = p.unsqueeze(1) - p.unsqueeze(0)  # [i, j] = p_i − p_j
        norm = diff.norm(dim=2, keepdim=True)
        e = torch.where(norm > 0, diff / torch.where(norm > 0, norm, torch.ones_like(norm)),
                        torch.zeros_like(diff))  # unit, 0 for i = j
        # cos∠[i, j, k] = ⟨e_ij, e_kj⟩, all B³ entries.
        return torch.einsum("ijc,kjc->ijk", e, e)

    dist = F.smooth_l1_loss(distances(p_s), distances(p_t), beta=1.0, reduction="mean")
    ang = F.smooth_l1_loss(angles(p_s), angles(p_t), beta=1.0, reduction="mean")
    return w_d * dist + w_a * ang


def pkt_term(p_s, p_t, weight):
    """PKT (spec part 2) on pooled features: w · mean over B² of S_t·log((S_t + 1e-7)/(S_s + 1e-7))."""

    def similarity(p):
        ph = p / (p.norm(dim=1, keepdim=True) + 1e-7)
        s = (ph @ ph.T + 1) / 2
        return s / s.sum(dim=1, keepdim=True)

    s_s, s_t = similarity(p_s), similarity(p_t)
    return weight * (s_t * torch.log((s_t + 1e-7) / (s_s + 1e-7))).mean()


def sp_term(f_s, f_t, weight):
    """SP (spec part 2): Q = F as B×(C·H·W), G = QQᵀ with L2-normalised rows, w·‖G_s − G_t‖²_F / B²."""
    b = f_s.shape[0]

    def gram(f):
        q = f.reshape(b, -1)
        return F.normalize(q @ q.T, p=2, dim=1)

    return weight * (gram(f_s) - gram(f_t)).pow(2).sum() / b ** 2


def kdsvd_term(taps_s, taps_t, k, weight):
    """KDSVD (spec part 2: "follow the paper and its authors' code"; Lee, Kim & Song, ECCV 2018).

    The authors' TensorFlow code as ported to PyTorch by RepDistiller (distiller_zoo/KDSVD.py), which the
    public CIFAR-100 tables use, is followed: per tap and image x = HW×C (positions × channels), thin SVD
    x = UΣVᵀ; the teacher keeps its top k right singular vectors and s = σ[:k]/‖σ[:k]‖, the student its top
    k + 3; each teacher vector takes the student vector of largest |cosine| with it, sign-flipped so the
    cosine is ≥ 0; both sides are multiplied by s; between consecutive taps the RBF correlations
    exp(−(v(i)_c − v(i−1)_c')²/8) of every channel pair are compared, squared differences summed over
    channels, vectors and images, divided by B, summed over the consecutive pairs, times w.

    The code leaves the sign of the teacher's vectors to LAPACK, yet the RBF between taps depends on it, so
    a value is only defined once a sign is fixed: here the largest-magnitude component of each teacher
    vector is positive (scikit-learn's svd_flip convention, the one nst4j documents in KdsvdTerm). The
    inputs must have distinct, nonzero top singular values (checked by the caller) so that V is unique.
    """
    total = 0.0
    prev = None
    b = taps_s[0].shape[0]
    for f_s, f_t in zip(taps_s, taps_t):
        v_t, sig_t = right_vectors(f_t)
        v_s, _ = right_vectors(f_s)
        v_t = v_t[:, :, :k]
        largest = v_t.abs().argmax(dim=1, keepdim=True)
        v_t = v_t * torch.sign(torch.gather(v_t, 1, largest))
        s = F.normalize(sig_t[:, :k], p=2, dim=1).unsqueeze(1)  # B×1×k
        v_s = v_s[:, :, :k + 3]
        cosine = v_s.transpose(1, 2) @ v_t  # B×(k+3)×k
        best = cosine.abs().argmax(dim=1, keepdim=True)  # B×1×k
        sign = torch.where(torch.gather(cosine, 1, best) >= 0, 1.0, -1.0).to(DT)
        chosen = torch.gather(v_s, 2, best.expand(-1, v_s.shape[1], -1)) * sign
        cur = (chosen * s, v_t * s)
        if prev is not None:
            kk = min(cur[0].shape[2], prev[0].shape[2])

            def rbf(a, c):
                return torch.exp(-(a[:, :, :kk].unsqueeze(2) - c[:, :, :kk].unsqueeze(1)).pow(2) / 8)

            total = total + (rbf(cur[0], prev[0]) - rbf(cur[1], prev[1])).pow(2).sum() / b
        prev = cur
    return weight * total


def right_vectors(f):
    """Right singular vectors (B×C×r, columns by decreasing σ) and singular values (B×r) of each image's HW×C map."""
    b, c = f.shape[:2]
    x = f.reshape(b, c, -1).transpose(1, 2)  # B×HW×C
    _, sig, vh = torch.linalg.svd(x, full_matrices=False)
    return vh.transpose(1, 2), sig


def check_kdsvd_inputs(taps, vectors):
    """Refuses inputs whose top singular values are (near) zero or (near) tied: V would not be unique there."""
    for f in taps:
        _, sig = right_vectors(f)
        top = sig[:, :vectors + 1]
        if (top[:, :vectors] <= 1e-9 * sig[:, :1]).any():
            raise SystemExit("kdsvd inputs: a top singular value is zero; pick other inputs")
        gaps = (top[:, :-1] - top[:, 1:]) / sig[:, :1]
        if gaps.numel() and (gaps < 1e-6).any():
            raise SystemExit("kdsvd inputs: tied top singular values; pick other inputs")


# ---------------------------------------------------------------------------------------------------------
# Inputs: seeded, realistic shapes (the FMNIST-10k ResNet taps and CIFAR-like widths), post-ReLU maps.
# ---------------------------------------------------------------------------------------------------------


def logits(gen, b, k=10):
    """Student and teacher logits B×K and labels B: a confident, mostly right teacher and a vaguer student."""
    y = torch.randint(0, k, (b,), generator=gen)
    base = torch.randn(b, k, generator=gen, dtype=torch.float32)
    z_t = 3.0 * torch.randn(b, k, generator=gen, dtype=torch.float32) + 6.0 * F.one_hot(y, k).float()
    z_s = 0.6 * z_t + 2.0 * base + 1.5
    return z_s, z_t, y


def relu_map(gen, b, c, hw):
    """A post-ReLU B×C×H×W map with channel-dependent offsets and scales (some channels mostly dead)."""
    shift = torch.randn(1, c, 1, 1, generator=gen) * 0.7 - 0.2
    gain = torch.rand(1, c, 1, 1, generator=gen) * 1.5 + 0.25
    x = (torch.randn(b, c, hw, hw, generator=gen) + shift) * gain
    return torch.relu(x).float()


def related_map(gen, f, c, hw):
    """A teacher map related to the student's f (pooled/projected), plus its own noise, post-ReLU."""
    b, cs = f.shape[:2]
    mix = torch.randn(cs, c, generator=gen) / cs ** 0.5
    g = torch.einsum("bchw,cd->bdhw", F.adaptive_avg_pool2d(f.double(), hw).float(), mix)
    return torch.relu(g + 0.5 * torch.randn(b, c, hw, hw, generator=gen)).float()


# Tap shapes (channels, side) of the FMNIST-10k ResNet-8 student and ResNet-20 teacher stage outputs; cases()
# adds a teacher of another width and side at the last tap (a WRN-like teacher) and a small KDSVD geometry.
FMNIST_TAPS = [(16, 28), (32, 14), (64, 7)]


def make_taps(gen, b, student, teacher):
    fs = [relu_map(gen, b, c, hw) for c, hw in student]
    ft = [related_map(gen, f, c, hw) for f, (c, hw) in zip(fs, teacher)]
    return fs, ft


# ---------------------------------------------------------------------------------------------------------
# Running nst4j and comparing.
# ---------------------------------------------------------------------------------------------------------


class Inputs:
    """One case's tensors, saved as .npy in the layout `nst4j loss` reads."""

    def __init__(self, folder, name, z_s, z_t, y, taps_s, taps_t):
        self.z_s, self.z_t, self.y, self.taps_s, self.taps_t = z_s, z_t, y, taps_s, taps_t
        self.args = []
        os.makedirs(folder, exist_ok=True)

        def save(tag, t):
            path = os.path.join(folder, f"{name}-{tag}.npy")
            np.save(path, t.numpy())
            return path

        if z_s is not None:
            self.args += ["--student-logits", save("zs", z_s), "--teacher-logits", save("zt", z_t),
                          "--labels", save("y", y.to(torch.int64))]
        for i, (fs, ft) in enumerate(zip(taps_s or [], taps_t or [])):
            self.args += ["--student-features", save(f"s{i}", fs), "--teacher-features", save(f"t{i}", ft)]

    def describe(self):
        parts = []
        if self.z_s is not None:
            parts.append(f"B={self.z_s.shape[0]}, K={self.z_s.shape[1]}")
        if self.taps_s:
            b = self.taps_s[0].shape[0]
            s = "/".join(f"{f.shape[1]}×{f.shape[2]}²" for f in self.taps_s)
            t = "/".join(f"{f.shape[1]}×{f.shape[2]}²" for f in self.taps_t)
            parts.append(f"B={b}, S {s}" + ("" if s == t else f", T {t}"))
        return "; ".join(parts)


def run_nst4j(args):
    cmd = [os.path.join(ARGS.nst4j, "nst4j"), "loss"] + args
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        return None, (r.stderr.strip().splitlines() or ["exit " + str(r.returncode)])[-1]
    return json.loads(r.stdout), None


def rel(a, b):
    return abs(a - b) / abs(b) if b != 0 else (0.0 if a == 0 else float("inf"))


def cases():
    """(method, options, seed, batch, student taps, teacher taps, variant) for every case.

    Variants: "" plain; "sharp" the teacher's logits times 5 (at T = 4 and seed 3: 1 − p_t[y] down to 1e-4,
    and p_t[y] down to 7e-7 in rows where the teacher is confidently wrong); "degenerate" a batch whose last tap repeats two images (zero distances
    between distinct images: RKD's 1e-12 floor and its 0 unit vector) and has one all-zero image (a zero
    pooled vector and a zero Gram row: PKT's and SP's normalisations at 0).
    """
    out = []
    for seed, b, variant in [(0, 64, ""), (1, 32, ""), (2, 128, ""), (3, 64, "sharp")]:
        for std in (False, True):
            extra = ["--logit-std"] if std else []
            out.append(("kd", ["--kd-alpha", "0.9", "--kd-temperature", "4"] + extra, seed, b, None, None,
                        variant))
            out.append(("dkd", ["--dkd-alpha", "1", "--dkd-beta", "8", "--dkd-temperature", "4",
                                "--dkd-warmup", "20"] + extra, seed, b, None, None, variant))
    wide = [(16, 28), (32, 14), (128, 8)]
    for seed, b, teacher, variant in [(0, 64, FMNIST_TAPS, ""), (1, 32, FMNIST_TAPS, ""), (2, 128, wide, ""),
                                      (3, 64, FMNIST_TAPS, "degenerate")]:
        out.append(("rkd", ["--rkd-distance-weight", "25", "--rkd-angle-weight", "50"], seed, b, FMNIST_TAPS,
                    teacher, variant))
        out.append(("pkt", ["--pkt-weight", "30000"], seed, b, FMNIST_TAPS, teacher, variant))
        out.append(("sp", ["--sp-weight", "3000"], seed, b, FMNIST_TAPS, teacher, variant))
    for seed, b, student, teacher in [(0, 32, FMNIST_TAPS, FMNIST_TAPS), (1, 16, FMNIST_TAPS, FMNIST_TAPS),
                                      (2, 24, [(8, 16), (16, 8), (32, 4)], [(8, 12), (16, 8), (32, 6)])]:
        out.append(("kdsvd", ["--kdsvd-k", "1", "--kdsvd-weight", "1"], seed, b, student, teacher, ""))
        if seed == 2:
            out.append(("kdsvd", ["--kdsvd-k", "2", "--kdsvd-weight", "1"], seed, b, student, teacher, ""))
    return out


def degenerate(taps):
    """The last tap with images 1 and 2 copies of image 0 and image 3 all zero (see cases())."""
    last = taps[-1].clone()
    last[1] = last[0]
    last[2] = last[0]
    last[3] = 0
    return taps[:-1] + [last]


def option(opts, name):
    return float(opts[opts.index(name) + 1])


def reference(method, opts, inp):
    """Expected terms {name: value} (with the CE where the method adds one) from the torch formulas."""
    d = lambda t: t.to(DT)  # noqa: E731 -- float32 inputs widened exactly, as nst4j reads them
    terms = {}
    if method in ("kd", "dkd"):
        z_s, z_t, y = d(inp.z_s), d(inp.z_t), inp.y
        ce = cross_entropy(z_s, y)  # the CE reads the raw logits; standardisation is the kd/dkd switch
        if "--logit-std" in opts:
            z_s, z_t = standardise(z_s), standardise(z_t)
        if method == "kd":
            a = option(opts, "--kd-alpha")
            terms["ce"] = (1 - a) * ce
            terms["kd"] = a * kd_term(z_s, z_t, option(opts, "--kd-temperature"))
        else:
            terms["ce"] = ce
            terms["dkd"] = dkd_term(z_s, z_t, y, option(opts, "--dkd-alpha"), option(opts, "--dkd-beta"),
                                    option(opts, "--dkd-temperature"))
        return {k: v.item() for k, v in terms.items()}
    fs = [d(f) for f in inp.taps_s]
    ft = [d(f) for f in inp.taps_t]
    if method == "rkd":  # last tap, pooled
        v = rkd_term(pooled(fs[-1]), pooled(ft[-1]), option(opts, "--rkd-distance-weight"),
                     option(opts, "--rkd-angle-weight"))
    elif method == "pkt":  # last tap, pooled
        v = pkt_term(pooled(fs[-1]), pooled(ft[-1]), option(opts, "--pkt-weight"))
    elif method == "sp":  # last tap
        v = sp_term(fs[-1], ft[-1], option(opts, "--sp-weight"))
    elif method == "kdsvd":  # every tap, consecutive pairs
        k = int(option(opts, "--kdsvd-k"))
        check_kdsvd_inputs(fs, k + 3)
        check_kdsvd_inputs(ft, k)
        v = kdsvd_term(fs, ft, k, option(opts, "--kdsvd-weight"))
    else:
        raise ValueError(method)
    return {method: v.item()}


def main():
    only = set(ARGS.only.split(",")) if ARGS.only else None
    work = ARGS.work or tempfile.mkdtemp(prefix="nst4j-loss-ref-")
    rows = []
    failed = 0
    for n, (method, opts, seed, b, student, teacher, variant) in enumerate(cases()):
        if only and method not in only:
            continue
        gen = torch.Generator().manual_seed(seed)  # a seed gives the same tensors to every method that reads them
        if student is None:
            z_s, z_t, y = logits(gen, b)
            if variant == "sharp":
                z_t = 5 * z_t
            inp = Inputs(work, f"c{n}", z_s, z_t, y, None, None)
        else:
            fs, ft = make_taps(gen, b, student, teacher)
            if variant == "degenerate":
                fs, ft = degenerate(fs), degenerate(ft)
            inp = Inputs(work, f"c{n}", None, None, None, fs, ft)
        want = reference(method, opts, inp)
        got, error = run_nst4j(["--method", method] + opts + inp.args)
        want_total = sum(want.values())
        if got is None:
            ok, err, got_total, worst = False, float("inf"), float("nan"), error
        else:
            got_total = got["total"]
            err = rel(got_total, want_total)
            # Every term both sides compute must agree too, and nst4j must not add terms of its own.
            names = set(got["terms"]) | set(want)
            term_errs = {t: rel(got["terms"].get(t, float("nan")), want.get(t, float("nan"))) for t in names}
            worst = max(term_errs, key=lambda t: float("inf") if math.isnan(term_errs[t]) else term_errs[t])
            bad = [t for t in names if not term_errs[t] <= ARGS.tolerance]
            ok = err <= ARGS.tolerance and not bad
            worst = f"{worst} {term_errs[worst]:.1e}" + ("" if not bad else "; disagree: " + ", ".join(sorted(bad)))
        failed += not ok
        shown = " ".join(o for o in opts)
        where = f"seed {seed}; {inp.describe()}" + (f"; {variant}" if variant else "")
        rows.append((method, shown, where, got_total, want_total, err, worst, "pass" if ok else "FAIL"))
        print(f"{method:6} {shown:70} nst4j {got_total:.10g} torch {want_total:.10g} rel {err:.2e} "
              f"{'pass' if ok else 'FAIL'}", flush=True)
    report = markdown(rows, failed)
    print()
    print(f"{len(rows) - failed} of {len(rows)} cases agree within {ARGS.tolerance:g}")
    if ARGS.out:
        with open(ARGS.out, "w", encoding="utf-8") as fh:
            fh.write(report)
    if not ARGS.work:
        for f in os.listdir(work):
            os.remove(os.path.join(work, f))
        os.rmdir(work)
    return 1 if failed else 0


def debian_torch():
    """", Debian python3-torch <version>" when dpkg knows the package (Debian's torch reports 1.13.0a0), else ""."""
    try:
        v = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "python3-torch"], capture_output=True,
                           text=True).stdout.strip()
    except OSError:
        v = ""
    return f" (Debian python3-torch {v})" if v else ""


def markdown(rows, failed):
    commit = subprocess.run(["git", "-C", ARGS.nst4j, "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip() or "unknown"
    dirty = subprocess.run(["git", "-C", ARGS.nst4j, "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True).stdout.strip()
    argv = " ".join(["/usr/bin/python3", "bench/pytorch/loss_reference.py"] + sys.argv[1:])
    lines = [
        "# `nst4j loss` against an independent PyTorch computation",
        "",
        "Generated by `bench/pytorch/loss_reference.py` (see bench/pytorch/README.md); do not edit by hand.",
        "",
        f"- command: `{argv}`",
        f"- date (UTC): {datetime.datetime.utcnow().strftime('%Y-%m-%d %H:%M')}",
        f"- nst4j commit: {commit}{' (with uncommitted changes)' if dirty else ''}; `nst4j loss` evaluates in"
        " float64 (DJL 0.36.0, libtorch 2.7.1)",
        f"- PyTorch side: torch {torch.__version__}{debian_torch()}, numpy {np.__version__}, Python"
        f" {platform.python_version()}, float64",
        f"- tolerance: relative error ≤ {ARGS.tolerance:g} on the total and on every term",
        f"- result: **{len(rows) - failed} of {len(rows)} cases agree**",
        "",
        "The PyTorch side implements the formulas of the spec (transfer-losses-2.md; KD from transfer-losses.md)"
        " with torch ops, independently of nst4j's Java and of its NumPy test reference. Inputs: seeded random"
        " float32 logits (K = 10; a confident, mostly right teacher) and post-ReLU maps of the FMNIST-10k"
        " ResNet-8/ResNet-20 tap shapes (C×side², `S` student, `T` teacher where it differs), written as .npy."
        " RKD and PKT read the global-average-pooled last tap, SP the last tap, KDSVD every tap; kd and dkd add"
        " the CE of the raw student logits; dkd is evaluated at its full weight (warm-up factor 1, as `loss`"
        " does). Variants: *sharp*, the teacher's logits times 5; *degenerate*, a last tap with two repeated"
        " images and an all-zero one. KDSVD follows the authors' code (RepDistiller's port) with the teacher's"
        " singular vectors signed so that their largest component is positive. \"worst term\" is the term with"
        " the largest relative error.",
        "",
        "| method | options | inputs | nst4j total | PyTorch total | rel. error | worst term | result |",
        "|---|---|---|---:|---:|---:|---|---|",
    ]
    for m, o, i, g, w, e, worst, res in rows:
        lines.append(f"| {m} | `{o}` | {i} | {g:.10g} | {w:.10g} | {e:.2e} | {worst} | {res} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
