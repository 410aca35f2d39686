#!/bin/sh
# Installs the PyTorch-Python reference side of the nst4j epoch benchmark: Debian's PyTorch
# (python3-torch, 1.13.1 on Debian 12) for the system interpreter /usr/bin/python3, with the OpenMP
# build of OpenBLAS so BLAS calls share torch's OpenMP thread budget.
# Idempotent (apt-get install of already-installed packages is a no-op). Must run as root.
set -eu
if [ "$(id -u)" -ne 0 ]; then
  echo "error: run as root (apt-get install)" >&2
  exit 2
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -q python3-torch libopenblas0-openmp
/usr/bin/python3 -c 'import torch, numpy; print("torch", torch.__version__, "numpy", numpy.__version__)'
dpkg-query -W -f='${Package} ${Version}\n' python3-torch libtorch1.13 libopenblas0-openmp python3-numpy \
  2>/dev/null || true
