"""``LBFGS``: limited-memory BFGS with an optional strong-Wolfe line search, as ``torch.optim.LBFGS``.

Unlike the other optimisers it needs the loss several times per step, so ``step`` takes a
closure that clears the gradients, computes the loss, calls ``backward()`` and returns it::

    def closure():
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        return loss
    optimizer.step(closure)

All parameters are handled as one flat vector. The arithmetic follows PyTorch's
step by step, with the scalars (dot products, step sizes) in the parameters' precision
as PyTorch's 0-d tensors are, so the iterates match ``torch.optim.LBFGS``'s.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

import autograd_core as ag
from autograd_core import Tensor

from .checks import check_choice, check_int, check_number
from .optimizer import Optimizer, Params, check_non_negative

Closure = Callable[[], Any]
HISTORY = ("old_dirs", "old_stps", "ro", "al")  # state entries that are lists (arrays in state dicts)
ONE_GROUP = "LBFGS doesn't support per-parameter options (parameter groups); pass one list of parameters"


def cubic_interpolate(
    x1: Any, f1: Any, g1: Any, x2: Any, f2: Any, g2: Any, bounds: tuple[Any, Any] | None = None
) -> Any:
    """The minimiser of the cubic through (x1, f1) and (x2, f2) with slopes g1, g2, clipped to
    ``bounds`` (default: between x1 and x2); their midpoint when the cubic has no minimum."""
    low, high = bounds if bounds is not None else ((x1, x2) if x1 <= x2 else (x2, x1))
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1**2 - g1 * g2
    if d2_square >= 0:
        d2 = np.sqrt(d2_square)
        if x1 <= x2:
            minimum = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
        else:
            minimum = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
        return min(max(minimum, low), high)
    return (low + high) / 2.0


def strong_wolfe(
    evaluate: Callable[[Any], tuple[float, np.ndarray]],
    t: Any,
    d: np.ndarray,
    f: float,
    g: np.ndarray,
    gtd: Any,
    c1: float = 1e-4,
    c2: float = 0.9,
    tolerance_change: float = 1e-9,
    max_ls: int = 25,
) -> tuple[float, np.ndarray, Any, int]:
    """A step size t along d meeting the strong Wolfe conditions (Nocedal & Wright, algorithms 3.5
    and 3.6): bracket, then zoom with cubic interpolation. ``evaluate(t)`` is (loss, gradient)
    at x + t d. Returns the loss and gradient there, t, and the number of evaluations."""
    d_norm = np.abs(d).max()
    f_new, g_new = evaluate(t)
    evaluations = 1
    gtd_new = g_new.dot(d)
    t_prev, f_prev, g_prev, gtd_prev = 0, f, g, gtd
    done = False
    iteration = 0
    while iteration < max_ls:  # bracketing: grow t until an interval holds a point meeting the conditions
        sufficient_decrease = not (f_new > (f + c1 * t * gtd) or (iteration > 1 and f_new >= f_prev))
        if sufficient_decrease and abs(gtd_new) <= -c2 * gtd:  # t itself meets the conditions
            bracket, bracket_f, bracket_g = [t], [f_new], [g_new]
            done = True
            break
        if not sufficient_decrease or gtd_new >= 0:
            # too far (no sufficient decrease, or rising again) or past a minimum: [t_prev, t] holds one
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new], [gtd_prev, gtd_new]
            break
        previous_t = t  # extrapolate by cubic interpolation, within [t + 0.01 (t - t_prev), 10 t]
        t = cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new, bounds=(t + 0.01 * (t - t_prev), t * 10))
        t_prev, f_prev, g_prev, gtd_prev = previous_t, f_new, g_new, gtd_new
        f_new, g_new = evaluate(t)
        evaluations += 1
        gtd_new = g_new.dot(d)
        iteration += 1
    if iteration == max_ls:
        bracket, bracket_f, bracket_g = [0, t], [f, f_new], [g, g_new]

    insufficient_progress = False
    low, high = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and iteration < max_ls:  # zoom: shrink the bracket around a Wolfe point
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break
        t = cubic_interpolate(bracket[0], bracket_f[0], bracket_gtd[0], bracket[1], bracket_f[1], bracket_gtd[1])
        # keep t away from the bracket's ends, unless it is making progress
        margin = 0.1 * (max(bracket) - min(bracket))
        if min(max(bracket) - t, t - min(bracket)) < margin:
            if insufficient_progress or t >= max(bracket) or t <= min(bracket):
                t = max(bracket) - margin if abs(t - max(bracket)) < abs(t - min(bracket)) else min(bracket) + margin
                insufficient_progress = False
            else:
                insufficient_progress = True
        else:
            insufficient_progress = False
        f_new, g_new = evaluate(t)
        evaluations += 1
        gtd_new = g_new.dot(d)
        iteration += 1
        if f_new > (f + c1 * t * gtd) or f_new >= bracket_f[low]:
            bracket[high], bracket_f[high], bracket_g[high], bracket_gtd[high] = t, f_new, g_new, gtd_new
            low, high = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket[high] - bracket[low]) >= 0:
                bracket[high], bracket_f[high] = bracket[low], bracket_f[low]
                bracket_g[high], bracket_gtd[high] = bracket_g[low], bracket_gtd[low]
            bracket[low], bracket_f[low], bracket_g[low], bracket_gtd[low] = t, f_new, g_new, gtd_new
    return bracket_f[low], bracket_g[low], bracket[low], evaluations


class LBFGS(Optimizer):
    """L-BFGS, as ``torch.optim.LBFGS``: call ``step(closure)`` (see the module docstring).

    Each ``step`` runs up to ``max_iter`` iterations: the direction is the two-loop recursion
    over the last ``history_size`` pairs (s = x_{k+1} - x_k, y = g_{k+1} - g_k), the step
    size ``lr`` (the first iteration ever: ``min(1, 1 / |g|_1) * lr``), or one found by the
    strong-Wolfe line search. It stops early when max |g| <= ``tolerance_grad``, or the step
    or the change in loss falls below ``tolerance_change``, or after ``max_eval`` evaluations.

    Args:
        params: the parameters (one group only, as in PyTorch).
        lr: step size (default 1).
        max_iter: iterations per ``step`` (default 20).
        max_eval: closure evaluations per ``step`` (default ``max_iter * 5 // 4``).
        tolerance_grad: stop when every |gradient| is at most this (default 1e-7).
        tolerance_change: stop on smaller changes of the loss or the parameters (default 1e-9).
        history_size: pairs kept for the curvature estimate (default 100).
        line_search_fn: None or 'strong_wolfe'.

    State (of the first parameter, as PyTorch keeps it): ``func_evals``, ``n_iter``, the last
    direction ``d`` and step ``t``, the history lists ``old_dirs``/``old_stps``/``ro``, ``H_diag``,
    ``prev_flat_grad``, ``prev_loss`` and ``al`` (``state_dict`` stacks each list into an array).
    """

    def __init__(
        self,
        params: Params,
        lr: float = 1.0,
        max_iter: int = 20,
        max_eval: int | None = None,
        tolerance_grad: float = 1e-7,
        tolerance_change: float = 1e-9,
        history_size: int = 100,
        line_search_fn: str | None = None,
    ) -> None:
        check_non_negative("LBFGS", "lr", lr, "learning rate")
        check_choice("LBFGS", "line_search_fn", line_search_fn, (None, "strong_wolfe"))
        for name, value in (("max_iter", max_iter), ("history_size", history_size), ("max_eval", max_eval)):
            if value is not None:
                check_int("LBFGS", name, value)
        check_number("LBFGS", "tolerance_grad", tolerance_grad, "1e-7")
        check_number("LBFGS", "tolerance_change", tolerance_change, "1e-9")
        defaults = dict(
            lr=lr, max_iter=max_iter, max_eval=max_iter * 5 // 4 if max_eval is None else max_eval,
            tolerance_grad=tolerance_grad, tolerance_change=tolerance_change, history_size=history_size,
            line_search_fn=line_search_fn,
        )
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError(ONE_GROUP)
        self._params = self.param_groups[0]["params"]

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        if self.param_groups:
            raise ValueError(ONE_GROUP)
        super().add_param_group(param_group)

    def _init_state(self, param: np.ndarray, group: dict[str, Any]) -> dict[str, Any]:
        """The state before the first step (kept on the first parameter): the counts at 0."""
        return {"func_evals": 0, "n_iter": 0}

    # -- the flat vector of all parameters -------------------------------------------
    def _flat_grad(self) -> np.ndarray:
        return np.concatenate([
            np.zeros(param.numel(), param.dtype) if param.grad is None else param.grad.array.reshape(-1)
            for param in self._params
        ])

    def _add_to_params(self, step_size: Any, direction: np.ndarray) -> None:
        """x <- x + step_size * direction, in place (version counters bumped)."""
        offset = 0
        for param in self._params:
            size = param.numel()
            param.array += step_size * direction[offset:offset + size].reshape(param.shape)
            param._version.value += 1
            offset += size

    def _set_params(self, values: list[np.ndarray]) -> None:
        for param, value in zip(self._params, values):
            param.array[...] = value
            param._version.value += 1

    def _evaluate(self, closure: Closure) -> float:
        with ag.enable_grad():
            return float(closure())

    def step(self, closure: Closure | None = None) -> Any:  # type: ignore[override]
        """Run up to ``max_iter`` L-BFGS iterations; returns the loss of the first evaluation."""
        if closure is None:
            raise TypeError(
                "LBFGS.step needs a closure that re-evaluates the model and returns the loss: "
                "optimizer.step(closure), with closure() calling zero_grad(), the loss and loss.backward()."
            )
        group = self.param_groups[0]
        lr, max_iter, max_eval = group["lr"], group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        history_size = group["history_size"]
        with ag.no_grad():
            state = self.state[self._params[0]]
            if not state:
                state.update(self._init_state(self._params[0].array, group))
            with ag.enable_grad():
                first_loss = closure()
            loss = float(first_loss)
            evaluations = 1
            state["func_evals"] += 1
            flat_grad = self._flat_grad()
            if np.abs(flat_grad).max() <= tolerance_grad:  # already optimal
                return first_loss
            d, t = state.get("d"), state.get("t")
            old_dirs, old_stps, ro = state.get("old_dirs"), state.get("old_stps"), state.get("ro")
            H_diag, prev_flat_grad, prev_loss = state.get("H_diag"), state.get("prev_flat_grad"), state.get("prev_loss")
            iteration = 0
            while iteration < max_iter:
                iteration += 1
                state["n_iter"] += 1
                if state["n_iter"] == 1:  # steepest descent to start
                    d = -flat_grad
                    old_dirs, old_stps, ro, H_diag = [], [], [], 1
                else:
                    y = flat_grad - prev_flat_grad
                    s = d * t
                    ys = y.dot(s)
                    if ys > 1e-10:  # keep the pair only where the curvature is positive
                        if len(old_dirs) == history_size:  # forget the oldest pair
                            del old_dirs[0], old_stps[0], ro[0]
                        old_dirs.append(y)
                        old_stps.append(s)
                        ro.append(1.0 / ys)
                        H_diag = ys / y.dot(y)  # the initial inverse Hessian's scale
                    d = self._two_loop_direction(state, flat_grad, old_dirs, old_stps, ro, H_diag, history_size)
                prev_flat_grad = flat_grad.copy()
                prev_loss = loss
                t = min(1.0, 1.0 / np.abs(flat_grad).sum()) * lr if state["n_iter"] == 1 else lr
                gtd = flat_grad.dot(d)  # the directional derivative
                if gtd > -tolerance_change:  # not a descent direction
                    break
                line_evaluations = 0
                if group["line_search_fn"] == "strong_wolfe":
                    start = [param.array.copy() for param in self._params]

                    def along_d(step_size: Any) -> tuple[float, np.ndarray]:
                        self._add_to_params(step_size, d)
                        value = self._evaluate(closure)
                        gradient = self._flat_grad()
                        self._set_params(start)
                        return value, gradient

                    loss, flat_grad, t, line_evaluations = strong_wolfe(
                        along_d, t, d, loss, flat_grad, gtd, max_ls=max_eval - evaluations
                    )
                    self._add_to_params(t, d)
                    converged = np.abs(flat_grad).max() <= tolerance_grad
                else:
                    self._add_to_params(t, d)
                    converged = False
                    if iteration != max_iter:  # the last iteration's loss is the next step's first
                        loss = self._evaluate(closure)
                        flat_grad = self._flat_grad()
                        converged = np.abs(flat_grad).max() <= tolerance_grad
                        line_evaluations = 1
                evaluations += line_evaluations
                state["func_evals"] += line_evaluations
                if (
                    iteration == max_iter
                    or evaluations >= max_eval
                    or converged
                    or np.abs(d * t).max() <= tolerance_change
                    or abs(loss - prev_loss) < tolerance_change
                ):
                    break
            state.update(
                d=d, t=t, old_dirs=old_dirs, old_stps=old_stps, ro=ro, H_diag=H_diag,
                prev_flat_grad=prev_flat_grad, prev_loss=prev_loss,
            )
        return first_loss

    @staticmethod
    def _two_loop_direction(
        state: dict[str, Any], flat_grad: np.ndarray, old_dirs: list, old_stps: list, ro: list, H_diag: Any,
        history_size: int,
    ) -> np.ndarray:
        """-H g by the two-loop recursion (Nocedal & Wright, algorithm 7.4), H_diag * I the initial H."""
        if "al" not in state:
            state["al"] = [None] * history_size
        alpha = state["al"]
        q = -flat_grad
        for i in range(len(old_dirs) - 1, -1, -1):
            alpha[i] = old_stps[i].dot(q) * ro[i]
            q -= alpha[i] * old_dirs[i]
        r = q * H_diag
        for i in range(len(old_dirs)):
            beta = old_dirs[i].dot(r) * ro[i]
            r += (alpha[i] - beta) * old_stps[i]
        return r

    # -- state dicts: the histories stacked into arrays ------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """PyTorch's entries, with each history list stacked into one array (``old_dirs``/``old_stps``
        (k, numel), ``ro`` (k,), ``al`` (history_size,) with NaN for unused slots) and NumPy scalars as
        0-d arrays, so the state is numbers and arrays only, as every optimiser's (checkpoints check
        that). ``load_state_dict`` also takes PyTorch's lists."""
        saved = super().state_dict()
        saved["state"] = {index: {key: self._packed(key, value) for key, value in entries.items()}
                          for index, entries in saved["state"].items()}
        return saved

    def _packed(self, key: str, value: Any) -> Any:
        if key == "al":
            return np.array([np.nan if entry is None else entry for entry in value], dtype=self._params[0].dtype)
        if key in HISTORY:
            width = (sum(p.numel() for p in self._params),) if key != "ro" else ()
            return np.stack(value) if value else np.zeros((0,) + width, self._params[0].dtype)
        return np.array(value) if isinstance(value, (np.ndarray, np.generic)) else value

    def _load_state_entry(self, index: Any, key: str, value: Any, param: Tensor) -> Any:
        dtype = param.dtype
        size = sum(p.numel() for p in self._params)
        if key in ("func_evals", "n_iter"):
            return int(np.asarray(value).item())
        if key in HISTORY:  # a stacked array (ours) or a list (PyTorch's) -> a list, as the step keeps it
            entries = list(value) if isinstance(value, (list, tuple)) else list(np.asarray(value))
            if key == "al":
                return [None if entry is None or np.isnan(entry) else _unpacked(key, entry, dtype, size)
                        for entry in entries]
            return [_unpacked(key, entry, dtype, size) for entry in entries]
        return _unpacked(key, value, dtype, size)


def _unpacked(key: str, value: Any, dtype: np.dtype, size: int) -> Any:
    """A loaded state value: flat vectors of ``size`` in ``dtype``, 0-d arrays back to scalars."""
    if isinstance(value, Tensor):
        value = value.array
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    array = np.asarray(value)
    if array.ndim == 0:
        return array[()]  # a scalar in its saved precision
    if array.shape != (size,):
        raise ValueError(
            f"LBFGS.load_state_dict: state {key!r} has shape {array.shape} but the parameters hold {size} "
            "numbers; the state dict belongs to another model."
        )
    return array.astype(dtype, copy=True)
