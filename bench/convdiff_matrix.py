#!/usr/bin/env python3
"""Writes the convection-diffusion matrix of Gnp::convectionDiffusion (b = (100, 50),
N x N interior grid, 5 points, scaled by h^2) as a MatrixMarket file, for sizes that are
best generated once: python3 bench/convdiff_matrix.py N OUT.mtx (N = 1000: n = 10^6)."""
import sys

N = int(sys.argv[1])
h = 1.0 / (N + 1)
bx, by = 100.0, 50.0
n = N * N
entries = n + 4 * (N - 1) * N
west, east = -1.0 - bx * h / 2, -1.0 + bx * h / 2
south, north = -1.0 - by * h / 2, -1.0 + by * h / 2
with open(sys.argv[2], "w") as out:
    out.write("%%MatrixMarket matrix coordinate real general\n")
    out.write(f"{n} {n} {entries}\n")
    lines = []
    for row in range(n):
        ix, iy, r = row % N, row // N, row + 1
        lines.append(f"{r} {r} 4\n")
        if ix > 0:
            lines.append(f"{r} {r - 1} {west!r}\n")
        if ix < N - 1:
            lines.append(f"{r} {r + 1} {east!r}\n")
        if iy > 0:
            lines.append(f"{r} {r - N} {south!r}\n")
        if iy < N - 1:
            lines.append(f"{r} {r + N} {north!r}\n")
        if len(lines) >= 100000:
            out.write("".join(lines))
            lines = []
    out.write("".join(lines))
