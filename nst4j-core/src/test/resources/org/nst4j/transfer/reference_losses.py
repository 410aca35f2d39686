#!/usr/bin/env python3
"""Independent NumPy reference for the parameter-free transfer losses of nst4j (spec part 2).

Evaluates DKD (with and without logit standardisation), RKD, PKT, SP and KDSVD on tensors saved as .npy
files, in float64, straight from the formulas of docs/spec transfer-losses-2.md, and prints one JSON object
with the weighted values (the same numbers nst4j's terms return; DKD at full weight, i.e. warm-up factor 1):

  dkd, dkd_logit_std           from --student-logits, --teacher-logits, --labels
  rkd, rkd_distance, rkd_angle from the last of --student-maps / --teacher-maps (global-average-pooled;
  pkt                          a 2-D array is taken as already pooled)
  sp                           from the last maps, flattened (no spatial alignment)
  kdsvd                        from all maps, in order (consecutive pairs; equal channels per pair)

Conventions where the spec leaves room (the same as the Java terms, documented there): KDSVD's teacher
singular vectors are signed so that their largest-magnitude component is positive; only student vectors of
nonzero singular value (sigma^2 > 1e-12 sigma_max^2) are alignment candidates; a tie picks the first.

Needs only NumPy. Example:
  python3 reference_losses.py --student-logits zs.npy --teacher-logits zt.npy --labels y.npy \
      --student-maps s1.npy s2.npy s3.npy --teacher-maps t1.npy t2.npy t3.npy
"""
import argparse
import json
import sys

import numpy as np


def log_softmax(z):
    m = np.max(z, axis=-1, keepdims=True)
    return z - m - np.log(np.sum(np.exp(z - m), axis=-1, keepdims=True))


def logsumexp(z):
    m = np.max(z)
    return m + np.log(np.sum(np.exp(z - m)))


def standardize(z):
    mean = z.mean(axis=1, keepdims=True)
    std = z.std(axis=1, ddof=1, keepdims=True)
    return (z - mean) / (std + 1e-7)


def dkd(zs, zt, y, alpha, beta, temperature, logit_std):
    if logit_std:
        zs, zt = standardize(zs), standardize(zt)
    batch, k = zs.shape
    total = 0.0
    for i in range(batch):
        s, t = zs[i] / temperature, zt[i] / temperature
        target = int(y[i])
        others = [c for c in range(k) if c != target]
        # binary distributions (p[y], 1 - p[y]) as logs; log(1 - p[y]) = lse(others) - lse(all)
        log_bs = np.array([s[target] - logsumexp(s), logsumexp(s[others]) - logsumexp(s)])
        log_bt = np.array([t[target] - logsumexp(t), logsumexp(t[others]) - logsumexp(t)])
        tckd = np.sum(np.exp(log_bt) * (log_bt - log_bs))
        log_qs = log_softmax(s[others])
        log_qt = log_softmax(t[others])
        nckd = np.sum(np.exp(log_qt) * (log_qt - log_qs))
        total += temperature ** 2 * (alpha * tckd + beta * nckd)
    return total / batch


def pooled(x):
    return x if x.ndim == 2 else x.reshape(x.shape[0], x.shape[1], -1).mean(axis=2)


def smooth_l1(a, b):
    d = np.abs(a - b)
    return np.mean(np.where(d < 1, 0.5 * d * d, d - 0.5))


def rkd_parts(ps, pt):
    def distances(p):
        b = p.shape[0]
        d = np.zeros((b, b))
        for i in range(b):
            for j in range(b):
                if i != j:
                    d[i, j] = np.sqrt(max(np.sum((p[i] - p[j]) ** 2), 1e-12))
        return d / (d.sum() / (b * (b - 1)))

    def angles(p):
        b = p.shape[0]
        e = np.zeros((b, b, p.shape[1]))  # e[j, i] = unit(p_i - p_j)
        for j in range(b):
            for i in range(b):
                v = p[i] - p[j]
                e[j, i] = v / max(np.linalg.norm(v), 1e-12)
        return np.einsum('jid,jkd->jik', e, e)

    return smooth_l1(distances(ps), distances(pt)), smooth_l1(angles(ps), angles(pt))


def pkt(ps, pt):
    def similarity(p):
        u = p / (np.linalg.norm(p, axis=1, keepdims=True) + 1e-7)
        s = (u @ u.T + 1) / 2
        return s / s.sum(axis=1, keepdims=True)

    ss, st = similarity(ps), similarity(pt)
    return np.mean(st * np.log((st + 1e-7) / (ss + 1e-7)))


def sp(fs, ft):
    def gram(f):
        q = f.reshape(f.shape[0], -1)
        g = q @ q.T
        return g / np.maximum(np.linalg.norm(g, axis=1, keepdims=True), 1e-12)

    b = fs.shape[0]
    return np.sum((gram(fs) - gram(ft)) ** 2) / (b * b)


def kdsvd(student_maps, teacher_maps, k):
    batch = student_maps[0].shape[0]
    total = 0.0
    for img in range(batch):
        previous = None
        for fs, ft in zip(student_maps, teacher_maps):
            c = fs.shape[1]
            if ft.shape[1] != c:
                raise ValueError('kdsvd needs equal channel counts per pair')
            xs = fs[img].reshape(c, -1).T  # HW x C
            xt = ft[img].reshape(c, -1).T
            kt = min(k, xt.shape[0], c)
            m = min(k + 3, xs.shape[0], c)
            _, sig_t, vt_rows = np.linalg.svd(xt, full_matrices=False)
            _, sig_s, vs_rows = np.linalg.svd(xs, full_matrices=False)
            weights = sig_t[:kt] / max(np.linalg.norm(sig_t[:kt]), 1e-12)
            vs_out = np.zeros((c, kt))
            vt_out = np.zeros((c, kt))
            for j in range(kt):
                v = vt_rows[j].copy()
                if v[np.argmax(np.abs(v))] < 0:
                    v = -v
                best, best_cos = -1, 0.0
                for i in range(m):
                    if not sig_s[i] ** 2 > 1e-12 * sig_s[0] ** 2:
                        continue
                    cos = float(vs_rows[i] @ v)
                    if best < 0 or abs(cos) > abs(best_cos):
                        best, best_cos = i, cos
                vt_out[:, j] = v * weights[j]
                if best >= 0:
                    vs_out[:, j] = (1.0 if best_cos >= 0 else -1.0) * vs_rows[best] * weights[j]
            if previous is not None:
                kk = min(kt, previous[0].shape[1])
                rbf_s = np.exp(-(vs_out[:, None, :kk] - previous[0][None, :, :kk]) ** 2 / 8)
                rbf_t = np.exp(-(vt_out[:, None, :kk] - previous[1][None, :, :kk]) ** 2 / 8)
                total += np.sum((rbf_s - rbf_t) ** 2)
            previous = (vs_out, vt_out)
    return total / batch


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--student-logits')
    ap.add_argument('--teacher-logits')
    ap.add_argument('--labels')
    ap.add_argument('--student-maps', nargs='*', default=[])
    ap.add_argument('--teacher-maps', nargs='*', default=[])
    ap.add_argument('--dkd-alpha', type=float, default=1.0)
    ap.add_argument('--dkd-beta', type=float, default=8.0)
    ap.add_argument('--dkd-temperature', type=float, default=4.0)
    ap.add_argument('--rkd-distance-weight', type=float, default=25.0)
    ap.add_argument('--rkd-angle-weight', type=float, default=50.0)
    ap.add_argument('--pkt-weight', type=float, default=30000.0)
    ap.add_argument('--sp-weight', type=float, default=3000.0)
    ap.add_argument('--kdsvd-k', type=int, default=1)
    ap.add_argument('--kdsvd-weight', type=float, default=1.0)
    a = ap.parse_args(argv)
    out = {}
    if a.student_logits and a.teacher_logits and a.labels:
        zs = np.load(a.student_logits).astype(np.float64)
        zt = np.load(a.teacher_logits).astype(np.float64)
        y = np.load(a.labels).astype(np.int64)
        out['dkd'] = dkd(zs, zt, y, a.dkd_alpha, a.dkd_beta, a.dkd_temperature, False)
        out['dkd_logit_std'] = dkd(zs, zt, y, a.dkd_alpha, a.dkd_beta, a.dkd_temperature, True)
    if len(a.student_maps) != len(a.teacher_maps):
        ap.error('give as many --student-maps as --teacher-maps')
    if a.student_maps:
        s_maps = [np.load(f).astype(np.float64) for f in a.student_maps]
        t_maps = [np.load(f).astype(np.float64) for f in a.teacher_maps]
        ps, pt = pooled(s_maps[-1]), pooled(t_maps[-1])
        dist, angle = rkd_parts(ps, pt)
        out['rkd_distance'] = a.rkd_distance_weight * dist
        out['rkd_angle'] = a.rkd_angle_weight * angle
        out['rkd'] = out['rkd_distance'] + out['rkd_angle']
        out['pkt'] = a.pkt_weight * pkt(ps, pt)
        out['sp'] = a.sp_weight * sp(s_maps[-1], t_maps[-1])
        if len(s_maps) >= 2 and all(s.ndim == 4 for s in s_maps + t_maps):
            out['kdsvd'] = a.kdsvd_weight * kdsvd(s_maps, t_maps, a.kdsvd_k)
    json.dump({k: float(v) for k, v in out.items()}, sys.stdout, indent=1, sort_keys=True)
    print()


if __name__ == '__main__':
    main(sys.argv[1:])
