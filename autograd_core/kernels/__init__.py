"""Numba kernels. Nothing here compiles, or even imports Numba, until first use."""
