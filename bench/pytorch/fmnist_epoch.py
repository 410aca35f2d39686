#!/usr/bin/python3
"""FMNIST-10k epoch benchmark, PyTorch-Python reference side.

A faithful PyTorch implementation of the pieces of the FMNIST-10k protocol
(/work/shared/spec/fmnist-10k.md) and of the transfer losses
(/work/shared/spec/transfer-losses.md) that one student-training epoch needs, written the way a
careful PyTorch user would write it, so that nst4j's Java epoch time can be compared against it on
the same CPU with the same thread budget. See bench/pytorch/README.md for the protocol mapping and
for every choice where the specs are silent.

Usage (system Python with Debian's python3-torch, see install.sh):
  /usr/bin/python3 bench/pytorch/fmnist_epoch.py --method ce|kd+nst-poly [--epochs N] [--threads N]
      [--teacher PATH.pt] [--teacher-mode eager|frozen|bf16] [--seed S] [--per-class N] [--no-eval]
      [--channels-last] [--json OUT.json] [--data DIR]
"""

import argparse
import gzip
import json
import math
import os
import resource
import struct
import sys
import time

# --- command line (parsed before importing torch so the thread budget reaches OpenMP/OpenBLAS) ----

METHODS = ("ce", "kd+nst-poly")
# How the teacher runs (issue 17, item 1: a fair peer); see frozen_teacher and bench/pytorch/README.md.
TEACHER_MODES = ("eager", "frozen", "bf16")


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description="One or more FMNIST-10k student epochs in PyTorch, timed (reference for nst4j).")
    p.add_argument("--method", choices=METHODS, default="ce",
                   help="ce, or kd+nst-poly (KD T=4 a=0.9 plus NST poly lambda=50 on the last tap)")
    p.add_argument("--epochs", type=int, default=1,
                   help="epochs to train; the cosine schedule spans exactly these epochs (default 1)")
    p.add_argument("--threads", type=int, default=2,
                   help="intra-op threads, torch.set_num_threads (default 2)")
    p.add_argument("--teacher", default=None,
                   help="ResNet-20 state_dict (.pt) for kd+nst-poly; default: randomly initialised "
                        "teacher (valid for timing only)")
    p.add_argument("--teacher-mode", choices=TEACHER_MODES, default="eager",
                   help="eager (default): the module in eval mode under no_grad; frozen: "
                        "torch.jit.freeze(torch.jit.script(teacher)), which folds BatchNorm into the "
                        "convolutions, under inference_mode; bf16: BatchNorm folded in float32, then the frozen "
                        "teacher computing in bfloat16, outputs cast back to float32 (as export_teacher.py "
                        "--bf16 writes it for nst4j)")
    p.add_argument("--seed", type=int, default=0, help="seed for init, shuffling, augmentation")
    p.add_argument("--no-eval", action="store_true",
                   help="skip the (untimed) test-set evaluations: for a quick smoke run of the benchmark")
    p.add_argument("--per-class", type=int, default=1000,
                   help="training images per class (default 1000, the protocol's; fewer only for a quick "
                        "smoke run of the benchmark, at least 7 so that one batch of 64 is left)")
    p.add_argument("--json", default=None, help="write the timing summary as JSON to this file")
    p.add_argument("--channels-last", action="store_true",
                   help="models and batches in torch.channels_last memory format (nst4j feeds its images "
                        "channels-last; default off: how PyTorch training scripts are usually written)")
    p.add_argument("--data", default="/usr/share/datasets/fashion-mnist",
                   help="folder holding the four Fashion-MNIST gz IDX files")
    a = p.parse_args(argv)
    if a.epochs < 1:
        p.error("--epochs must be >= 1")
    if a.threads < 1:
        p.error("--threads must be >= 1")
    if a.per_class * 10 < 64:
        p.error("--per-class must be >= 7 (one batch of 64 images)")
    if a.teacher is not None and a.method == "ce":
        p.error("--teacher is only used by --method kd+nst-poly")
    if a.teacher_mode != "eager" and a.method == "ce":
        p.error("--teacher-mode is only used by --method kd+nst-poly")
    return a


ARGS = parse_args() if __name__ == "__main__" else None
if ARGS is not None:
    # OpenBLAS (openmp build) and libgomp read these once at load time; torch.set_num_threads below
    # sets the same number for ATen. One budget for everything, like the Java side.
    os.environ["OMP_NUM_THREADS"] = str(ARGS.threads)
    os.environ["OPENBLAS_NUM_THREADS"] = str(ARGS.threads)
    os.environ["MKL_NUM_THREADS"] = str(ARGS.threads)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

# --- protocol constants (fmnist-10k.md) ----------------------------------------------------------

MEAN, STD = 0.2860, 0.3530
CLASSES = 10
BATCH = 64
PAD = 2
LR, MOMENTUM, WEIGHT_DECAY = 0.05, 0.9, 5e-4
KD_T, KD_ALPHA = 4.0, 0.9
NST_LAMBDA = 50.0
EPS = 1e-12
EVAL_BATCH = 256  # test-time batch; any size gives the same accuracy (BN in eval mode)

# --- data ------------------------------------------------------------------------------------------


def read_idx(path, magic, dims):
    """Reads a gzip IDX file into a uint8 numpy array; fails with a message naming the file."""
    try:
        with gzip.open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise SystemExit(f"error: cannot read {path}: {e}")
    if len(raw) < 4 + 4 * dims:
        raise SystemExit(f"error: {path}: truncated header")
    got_magic = struct.unpack(">I", raw[:4])[0]
    if got_magic != magic:
        raise SystemExit(f"error: {path}: magic {got_magic:#x}, expected {magic:#x}")
    shape = struct.unpack(">" + "I" * dims, raw[4:4 + 4 * dims])
    body = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims)
    if body.size != int(np.prod(shape)):
        raise SystemExit(f"error: {path}: {body.size} bytes of data, header says {shape}")
    return body.reshape(shape)


def load_split(folder, prefix):
    images = read_idx(os.path.join(folder, f"{prefix}-images-idx3-ubyte.gz"), 0x803, 3)
    labels = read_idx(os.path.join(folder, f"{prefix}-labels-idx1-ubyte.gz"), 0x801, 1)
    if images.shape[0] != labels.shape[0]:
        raise SystemExit(f"error: {prefix}: {images.shape[0]} images but {labels.shape[0]} labels")
    return images, labels


def first_per_class(labels, per_class):
    """Indices of the first `per_class` images of each class, in file order (protocol subset)."""
    counts = np.zeros(CLASSES, dtype=np.int64)
    keep = []
    for i, y in enumerate(labels.tolist()):
        if counts[y] < per_class:
            counts[y] += 1
            keep.append(i)
    if (counts < per_class).any():
        raise SystemExit(f"error: training file has fewer than {per_class} images of some class")
    return np.asarray(keep, dtype=np.int64)


def normalise(images_u8):
    """(x/255 - mean)/std as float32 N×1×28×28."""
    x = torch.from_numpy(images_u8.astype(np.float32)).div_(255.0)
    return x.sub_(MEAN).div_(STD).unsqueeze(1).contiguous()


class Augmenter:
    """Pad 2 (background 0 before normalising) + random 28×28 crop + horizontal flip p=0.5.

    Vectorised per batch: the padded, normalised training set is built once; a batch is one gather
    whose row/column indices carry both the random crop offset and the flip (a flipped crop reads
    its columns right to left), i.e. the same result as torchvision's RandomCrop(28, padding=2)
    followed by RandomHorizontalFlip() per image, without a Python loop over images.
    """

    def __init__(self, train_x, generator):
        # Padding with 0 *before* normalising == padding with (0-mean)/std after it.
        self.padded = F.pad(train_x, (PAD, PAD, PAD, PAD), value=(0.0 - MEAN) / STD).contiguous()
        self.g = generator
        self.ar = torch.arange(28)

    def batch(self, idx):
        b = idx.numel()
        oy = torch.randint(0, 2 * PAD + 1, (b, 1), generator=self.g)
        ox = torch.randint(0, 2 * PAD + 1, (b, 1), generator=self.g)
        flip = torch.rand((b, 1), generator=self.g) < 0.5
        rows = oy + self.ar                                   # B×28
        cols = torch.where(flip, ox + (27 - self.ar), ox + self.ar)  # B×28
        src = self.padded[idx, 0]                             # B×32×32
        out = src[torch.arange(b)[:, None, None], rows[:, :, None], cols[:, None, :]]
        return out.unsqueeze(1)                               # B×1×28×28 (contiguous)


# --- models (CIFAR-style ResNet, He et al. 2016 §4.2, option B shortcuts) ---------------------------


def conv3x3(cin, cout, stride=1):
    # No conv bias: a BatchNorm follows every convolution (standard in torchvision/CIFAR ResNets).
    return nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = conv3x3(cin, cout, stride)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = conv3x3(cout, cout)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = None
        if stride != 1 or cin != cout:
            # 1×1 conv + BN projection where shape changes (protocol).
            self.shortcut = nn.Sequential(
                nn.Conv2d(cin, cout, 1, stride=stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        identity = x if self.shortcut is None else self.shortcut(x)
        return F.relu(out + identity)


class CifarResNet(nn.Module):
    """Depth 6n+2: 3×3 stem 16, stages 16/32/64 of n blocks, stride 2 at stages 2 and 3, GAP, linear.

    forward returns (logits, [tap1, tap2, tap3]) where the taps are the three stage outputs after the
    last block's ReLU (28×28, 14×14, 7×7 for a 28×28 input).
    """

    def __init__(self, n, in_channels=1, num_classes=CLASSES):
        super().__init__()
        self.conv = conv3x3(in_channels, 16)
        self.bn = nn.BatchNorm2d(16)
        stages, cin = [], 16
        for i, width in enumerate((16, 32, 64)):
            blocks = []
            for j in range(n):
                stride = 2 if (i > 0 and j == 0) else 1
                blocks.append(BasicBlock(cin, width, stride))
                cin = width
            stages.append(nn.Sequential(*blocks))
        self.stages = nn.ModuleList(stages)
        self.fc = nn.Linear(64, num_classes)
        self.reset_parameters()

    def reset_parameters(self):
        # Protocol init: conv Kaiming-normal (fan_out, ReLU gain); BN gamma 1 beta 0; linear weight
        # and bias uniform ±1/sqrt(fan_in).
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Linear):
                bound = 1.0 / math.sqrt(m.in_features)
                nn.init.uniform_(m.weight, -bound, bound)
                nn.init.uniform_(m.bias, -bound, bound)

    def forward(self, x):
        x = F.relu(self.bn(self.conv(x)))
        taps = []
        for stage in self.stages:
            x = stage(x)
            taps.append(x)
        x = F.adaptive_avg_pool2d(x, 1).flatten(1)
        return self.fc(x), taps


def resnet8():
    return CifarResNet(n=1)


def resnet20():
    return CifarResNet(n=3)


def make_teacher(seed, state_dict_path=None, n=3):
    """The bench's teacher (ResNet-20: n = 3) in eval mode, frozen: the state_dict at `state_dict_path` (a
    {"state_dict": ...} wrapper is accepted), or the protocol init from its own seed (seed + 1, as nst4j's
    `bench profile` seeds its random teacher), independent of anything created before it, so that
    export_teacher.py rebuilds exactly the teacher this script trains against."""
    torch.manual_seed(seed + 1)
    teacher = CifarResNet(n)
    if state_dict_path:
        state = torch.load(state_dict_path, map_location="cpu")
        if isinstance(state, dict) and "state_dict" in state:
            state = state["state_dict"]
        teacher.load_state_dict(state)
    teacher.eval()
    for p in teacher.parameters():
        p.requires_grad_(False)
    return teacher


class TupleTeacher(nn.Module):
    """The teacher as nst4j takes a TorchScript teacher (README "A teacher from PyTorch"): forward(x) ->
    (logits, tap1, tap2, tap3), float32 in and out, computing in `dtype` inside.

    DJL 0.36 cannot hold a bfloat16 tensor (creating one aborts the JVM, docs/performance.md), so a
    bfloat16 teacher casts its input in and every output back to float32 inside its own forward.
    """

    def __init__(self, net, dtype: torch.dtype = torch.float32):
        super().__init__()
        self.net = net
        self.dtype = dtype

    def forward(self, x):
        logits, taps = self.net(x.to(self.dtype))
        return logits.float(), taps[0].float(), taps[1].float(), taps[2].float()


def frozen_teacher(teacher, bf16=False):
    """The careful PyTorch user's teacher: scripted and frozen (torch.jit.freeze folds each eval-mode
    BatchNorm into the convolution before it and inlines the weights as constants).

    bf16: BatchNorm is folded first in float32 (torch.fx's conv-BN fusion), then the folded weights are
    rounded to bfloat16 once, so the fold itself is not computed in bfloat16; the result computes in
    bfloat16 and returns float32. Returns a TupleTeacher-shaped ScriptModule: (logits, tap1, tap2, tap3).
    """
    from torch.fx.experimental.optimization import fuse  # conv-BN fusion of an eval-mode module
    net = fuse(teacher.eval()).to(torch.bfloat16) if bf16 else teacher.eval()
    wrapped = TupleTeacher(net, torch.bfloat16 if bf16 else torch.float32).eval()
    return torch.jit.freeze(torch.jit.script(wrapped))


# --- losses (transfer-losses.md) -------------------------------------------------------------------


def kd_loss(zs, zt, y, t=KD_T, alpha=KD_ALPHA):
    """(1-α)·CE(zs, y) + α·T²·KL(softmax(zt/T) ‖ softmax(zs/T)), KL summed over classes, batch mean."""
    ce = F.cross_entropy(zs, y)
    kl = F.kl_div(F.log_softmax(zs / t, dim=1), F.log_softmax(zt / t, dim=1),
                  reduction="batchmean", log_target=True)
    return (1.0 - alpha) * ce + alpha * t * t * kl


def align_spatial(fs, ft):
    """Adaptive-average-pool the larger map down to the smaller size (spec: spatial alignment)."""
    hs, ws = fs.shape[-2:]
    ht, wt = ft.shape[-2:]
    if (hs, ws) == (ht, wt):
        return fs, ft
    if hs * ws > ht * wt:
        return F.adaptive_avg_pool2d(fs, (ht, wt)), ft
    return fs, F.adaptive_avg_pool2d(ft, (hs, ws))


def nst_poly_mmd2(fs, ft):
    """Per-image MMD² with the poly kernel d=2 c=0 (teacher–teacher term kept), shape B.

    Rows (one channel's spatial map each) are L2-normalised with max(‖f‖, 1e-12) (F.normalize does
    exactly that). For d=2, c=0 the three kernel sums are squared Frobenius norms of Gram matrices;
    we use the C×C form or the HW×HW form, whichever needs fewer multiply-adds (spec "poly").
    """
    fs, ft = align_spatial(fs, ft)
    b, cs = fs.shape[:2]
    ct = ft.shape[1]
    hw = fs.shape[-2] * fs.shape[-1]
    s = F.normalize(fs.reshape(b, cs, hw), p=2.0, dim=2, eps=EPS)
    t = F.normalize(ft.reshape(b, ct, hw), p=2.0, dim=2, eps=EPS)
    cost_cc = (cs * cs + ct * ct + cs * ct) * hw
    cost_hw = (cs + ct) * hw * hw
    if cost_hw < cost_cc:
        # ‖ŜᵀŜ/Cs − T̂ᵀT̂/Ct‖²_F, expands to the three sums of the MMD² definition.
        gs = torch.bmm(s.transpose(1, 2), s) / cs
        gt = torch.bmm(t.transpose(1, 2), t) / ct
        return (gs - gt).pow(2).sum(dim=(1, 2))
    ss = torch.bmm(s, s.transpose(1, 2)).pow(2).sum(dim=(1, 2)) / (cs * cs)
    tt = torch.bmm(t, t.transpose(1, 2)).pow(2).sum(dim=(1, 2)) / (ct * ct)
    st = torch.bmm(s, t.transpose(1, 2)).pow(2).sum(dim=(1, 2)) / (cs * ct)
    return ss + tt - 2.0 * st


def nst_term(fs, ft, lam=NST_LAMBDA):
    """(λ/2) · mean over the batch of MMD² (paper's λ/2 form)."""
    return 0.5 * lam * nst_poly_mmd2(fs, ft).mean()


# --- training --------------------------------------------------------------------------------------


def cosine_lr(step, total):
    """PyTorch CosineAnnealingLR(T_max=total, eta_min=0) stepped per update: ½·lr₀·(1+cos(π·t/T))."""
    return 0.5 * LR * (1.0 + math.cos(math.pi * min(step, total) / total))


@torch.no_grad()
def evaluate(model, x, y):
    model.eval()
    correct = 0
    for i in range(0, x.shape[0], EVAL_BATCH):
        logits, _ = model(x[i:i + EVAL_BATCH])
        correct += (logits.argmax(1) == y[i:i + EVAL_BATCH]).sum().item()
    return correct / x.shape[0]


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux reports KiB


def main(a):
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    np.random.seed(a.seed)
    data_gen = torch.Generator().manual_seed(a.seed)

    # Data (loaded and normalised once, outside the timed epochs).
    train_u8, train_lab = load_split(a.data, "train")
    test_u8, test_lab = load_split(a.data, "t10k")
    keep = first_per_class(train_lab, a.per_class)
    train_x = normalise(train_u8[keep])
    train_y = torch.from_numpy(train_lab[keep].astype(np.int64))
    test_x = normalise(test_u8)
    test_y = torch.from_numpy(test_lab.astype(np.int64))
    aug = Augmenter(train_x, data_gen)
    n = train_x.shape[0]
    batches = n // BATCH  # last partial batch dropped

    fmt = torch.channels_last if a.channels_last else torch.contiguous_format
    student = resnet8().to(memory_format=fmt)
    teacher = None
    teacher_desc = None
    run_teacher = None  # x -> (logits, last tap), how the training loop calls the teacher
    if a.method == "kd+nst-poly":
        teacher = make_teacher(a.seed, a.teacher).to(memory_format=fmt)
        teacher_desc = a.teacher or "random-init (timing only, accuracies meaningless for transfer)"
        if a.teacher_mode == "eager":
            def run_teacher(x):
                with torch.no_grad():
                    zt, taps_t = teacher(x)
                return zt, taps_t[-1]
        else:
            # Frozen (and bf16): the forward runs under inference_mode, as a careful user runs a module
            # that never needs autograd; its outputs only enter the losses as constants.
            script = frozen_teacher(teacher, bf16=a.teacher_mode == "bf16")

            def run_teacher(x):
                with torch.inference_mode():
                    out = script(x)
                return out[0], out[3]
        teacher_desc += f"; teacher mode {a.teacher_mode}"

    # Weight decay on every parameter (BN γ/β and biases included), PyTorch's coupled L2 in SGD.
    opt = torch.optim.SGD(student.parameters(), lr=LR, momentum=MOMENTUM, nesterov=True,
                          weight_decay=WEIGHT_DECAY)
    total_steps = a.epochs * batches

    print(f"torch {torch.__version__} threads={torch.get_num_threads()} method={a.method} "
          f"images={n} batches/epoch={batches} batch={BATCH} epochs={a.epochs} seed={a.seed}",
          flush=True)
    if teacher is not None:
        print(f"teacher: {teacher_desc}", flush=True)

    seconds, train_accs, test_accs, eval_secs = [], [], [], []
    step = 0
    for epoch in range(a.epochs):
        student.train()
        t0 = time.perf_counter()
        perm = torch.randperm(n, generator=data_gen)
        correct = torch.zeros((), dtype=torch.int64)
        loss_sum = torch.zeros(())
        for bi in range(batches):
            idx = perm[bi * BATCH:(bi + 1) * BATCH]
            x = aug.batch(idx).contiguous(memory_format=fmt)
            y = train_y[idx]
            for g in opt.param_groups:
                g["lr"] = cosine_lr(step, total_steps)
            zs, taps_s = student(x)
            if teacher is None:
                loss = F.cross_entropy(zs, y)
            else:
                zt, tap_t = run_teacher(x)
                loss = kd_loss(zs, zt, y) + nst_term(taps_s[-1], tap_t)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            step += 1
            with torch.no_grad():
                correct += (zs.argmax(1) == y).sum()
                loss_sum += loss.detach()
        secs = time.perf_counter() - t0
        if epoch == 0:
            # Peak RSS of data loading + training alone, before any evaluation pass.
            rss_train = peak_rss_mb()
        lv = loss_sum.item() / batches
        if not math.isfinite(lv):
            raise SystemExit(f"error: non-finite loss in epoch {epoch + 1}")
        train_acc = correct.item() / (batches * BATCH)
        e0 = time.perf_counter()
        test_acc = None if a.no_eval else evaluate(student, test_x, test_y)
        esecs = time.perf_counter() - e0
        seconds.append(secs)
        train_accs.append(train_acc)
        test_accs.append(test_acc)
        eval_secs.append(esecs)
        print(f"epoch {epoch + 1}/{a.epochs}: {secs:.2f} s  loss {lv:.4f}  "
              f"train acc {100 * train_acc:.2f}%  "
              f"test acc {'not evaluated' if test_acc is None else f'{100 * test_acc:.2f}%'}  "
              f"(eval {esecs:.1f} s, not timed)", flush=True)

    teacher_acc = None
    if teacher is not None and not a.no_eval:
        teacher_acc = evaluate(teacher, test_x, test_y)
        print(f"teacher test acc {100 * teacher_acc:.2f}% ({teacher_desc})", flush=True)
    rss = peak_rss_mb()
    print(f"peak RSS {rss:.0f} MB (after load + first training epoch, before any eval: "
          f"{rss_train:.0f} MB)", flush=True)
    if a.json:
        out = {
            "method": a.method,
            "seconds_per_epoch": seconds,
            "peak_rss_mb": rss,
            "torch_version": torch.__version__,
            "threads": torch.get_num_threads(),
            "channels_last": a.channels_last,
            "teacher_mode": a.teacher_mode,
            "images": n,
            "batches": batches,
            # extras beyond the required fields
            "peak_rss_mb_before_eval": rss_train,
            "seed": a.seed,
            "teacher": teacher_desc,
            "teacher_test_accuracy": teacher_acc,
            "train_accuracy": train_accs,
            "test_accuracy": test_accs,
            "eval_seconds": eval_secs,
        }
        with open(a.json, "w") as f:
            json.dump(out, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main(ARGS)
