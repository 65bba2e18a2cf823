"""Stands in for PyTorch in .ci/run's first pass: ``import torch`` fails, as on a fresh machine.

With this folder first on PYTHONPATH the test suite runs as where torch is not installed: every
PyTorch-parity check must skip with its reason, and nothing else may need torch.
"""
raise ImportError("torch is hidden for .ci/run's pass without it (.ci/without_torch)")
