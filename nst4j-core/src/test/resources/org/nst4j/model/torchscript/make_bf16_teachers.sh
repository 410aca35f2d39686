#!/bin/sh
# Derives the bfloat16 fixtures of TorchScriptBf16GuardTest from teacher.pt without PyTorch: a TorchScript
# archive holds its forward as source (code/__torch__.py), recompiled when loaded, so editing that line and
# zipping the archive again (stored, no compression) gives the module PyTorch would have scripted from
#   bf16-map.pt:    return logits, map1.to(torch.bfloat16), map2          (a bfloat16 output: refused)
#   bf16-inside.pt: return logits, map1.to(torch.bfloat16).float(), map2  (bfloat16 inside, float32 out)
# 15 and 6 are torch.bfloat16 and torch.float32 as TorchScript serialises dtypes (c10::ScalarType). The
# debug-info file of the edited source is dropped (it maps source ranges and is optional).
# Usage: sh make_bf16_teachers.sh   (in this folder; needs unzip and zip)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
make() { # $1 output, $2 replacement of the return line
  work=$(mktemp -d)
  (cd "$work" && unzip -q "$here/teacher.pt" \
    && sed -i "s/    return (logits, map1, map2)/    return $2/" teacher/code/__torch__.py \
    && grep -q "return $2" teacher/code/__torch__.py \
    && rm -f teacher/code/__torch__.py.debug_pkl \
    && rm -f "$here/$1" && zip -q -0 -r -X "$here/$1" teacher)
  rm -rf "$work"
}
make bf16-map.pt '(logits, torch.to(map1, 15), map2)'
make bf16-inside.pt '(logits, torch.to(torch.to(map1, 15), 6), map2)'
