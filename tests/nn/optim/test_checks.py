"""Argument checks of every optimiser and scheduler (nn/optim/checks.py): the class, the argument, what it must be."""
import numpy as np
import pytest

import autograd_core as ag
import nn
from nn.optim import LBFGS, SGD, Adadelta, Adagrad, Adam, Adamax, AdamW, NAdam, RAdam, RMSprop, lr_scheduler

OPTIMIZERS = [SGD, Adagrad, RMSprop, Adam, AdamW, Adadelta, NAdam, RAdam, LBFGS, Adamax]


def params():
    return [nn.Parameter(ag.ones(2))]


@pytest.mark.parametrize("optimizer", OPTIMIZERS, ids=[o.__name__ for o in OPTIMIZERS])
def test_a_string_learning_rate_names_the_argument_and_the_fix(optimizer):
    with pytest.raises(TypeError, match=rf"{optimizer.__name__}: lr must be a real number \(e.g. lr=0.1\), got str "
                                        r"'0.1'; convert it first: float\('0.1'\)"):
        optimizer(params(), lr="0.1")


@pytest.mark.parametrize("optimizer", OPTIMIZERS, ids=[o.__name__ for o in OPTIMIZERS])
def test_the_parameters_method_itself_says_call_it(optimizer):
    model = nn.Linear(2, 1)
    with pytest.raises(TypeError, match=r"params is the method Module.parameters itself, not the parameters it "
                                        r"returns; call it: .*\(model.parameters\(\), ...\) with the parentheses"):
        optimizer(model.parameters, lr=0.1)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: SGD(params(), lr=0.1, momentum="0.9"), r"SGD: momentum must be a real number .*got str '0.9'"),
        (lambda: SGD(params(), lr=0.1, momentum=None), r"SGD: momentum must be a real number .*got NoneType None"),
        (lambda: SGD(params(), lr=0.1, dampening=[0.1]), r"SGD: dampening must be a real number"),
        (lambda: SGD(params(), lr=0.1, nesterov="yes"), r"SGD: nesterov must be True or False, got str 'yes'"),
        (lambda: Adam(params(), betas=0.9), r"Adam: betas must be a pair of numbers \(e.g. betas=\(0.9, 0.999\)\)"),
        (lambda: Adam(params(), betas=(0.9, "0.999")), r"Adam: betas must be a pair of numbers"),
        (lambda: Adam(params(), amsgrad=None), r"Adam: amsgrad must be True or False"),
        (lambda: RMSprop(params(), alpha=True), r"RMSprop: alpha must be a real number .*got bool True"),
        (lambda: Adadelta(params(), rho="high"), r"Adadelta: rho must be a real number"),
        (lambda: NAdam(params(), decoupled_weight_decay=1), r"NAdam: decoupled_weight_decay must be True or False"),
        (lambda: Adamax(params(), betas=(0.9,)), r"Adamax: betas must be a pair of numbers"),
        (lambda: LBFGS(params(), max_iter=2.5), r"LBFGS: max_iter must be an int .*got float 2.5"),
        (lambda: LBFGS(params(), tolerance_grad="small"), r"LBFGS: tolerance_grad must be a real number"),
        (lambda: SGD([{"params": params(), "lr": "0.01"}], lr=0.1), r"SGD: lr must be a real number"),
        (lambda: SGD(params(), lr=0.1).add_param_group({"params": params(), "momentum": "0.5"}),
         r"SGD: momentum must be a real number"),
        (lambda: SGD(5, lr=0.1), r"SGD: params must be an iterable of Tensors or of dicts .*got int 5"),
        (lambda: Adam(nn.Parameter(ag.ones(2))), r"Adam: params argument given to the optimizer should be an iterable"),
    ],
)
def test_options_of_the_wrong_kind_raise_type_errors_naming_them(call, message):
    with pytest.raises(TypeError, match=message):
        call()


def test_a_one_element_tensor_counts_as_its_number_as_in_pytorch():
    optimizer = SGD(params(), lr=ag.tensor(0.05), momentum=0.9)
    assert optimizer.param_groups[0]["lr"] == pytest.approx(0.05) and isinstance(optimizer.param_groups[0]["lr"], float)
    assert Adam(params(), lr=np.float32(0.01), betas=[0.8, 0.9]).param_groups[0]["betas"] == (0.8, 0.9)


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda o: lr_scheduler.StepLR(o, step_size="3"), TypeError, r"StepLR: step_size must be an int .*got str '3'"),
        (lambda o: lr_scheduler.StepLR(o, step_size=3, gamma="0.1"), TypeError, r"StepLR: gamma must be a real number"),
        (lambda o: lr_scheduler.ExponentialLR(o, gamma=None), TypeError, r"ExponentialLR: gamma must be a real number"),
        (lambda o: lr_scheduler.StepLR(SGD, step_size=3), TypeError, r"StepLR: the class SGD is not an Optimizer"),
        (lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=10, last_epoch="0"), TypeError,
         r"CosineAnnealingLR: last_epoch must be an int"),
        (lambda o: lr_scheduler.MultiStepLR(o, [2, 4], gamma=[0.1]), TypeError, r"MultiStepLR: gamma must be a real"),
        (lambda o: lr_scheduler.LinearLR(o, total_iters=2.0), TypeError, r"LinearLR: total_iters must be an int"),
        (lambda o: lr_scheduler.OneCycleLR(o, max_lr="0.1", total_steps=10), TypeError,
         r"OneCycleLR: max_lr must be a real number"),
        (lambda o: lr_scheduler.OneCycleLR(o, max_lr=0.1, total_steps=10, cycle_momentum="no"), TypeError,
         r"OneCycleLR: cycle_momentum must be True or False"),
        (lambda o: lr_scheduler.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=2.5), TypeError,
         r"CyclicLR: step_size_up must be an int"),
        (lambda o: lr_scheduler.ReduceLROnPlateau(o, patience="5"), TypeError,
         r"ReduceLROnPlateau: patience must be an int"),
        (lambda o: lr_scheduler.ReduceLROnPlateau(o, factor="0.5"), TypeError,
         r"ReduceLROnPlateau: factor must be a real number"),
        (lambda o: lr_scheduler.StepLR(o, step_size=0), ValueError,
         r"StepLR: step_size must be a positive integer, got 0"),
    ],
)
def test_scheduler_arguments_are_checked_the_same_way(call, error, message):
    with pytest.raises(error, match=message):
        call(SGD(params(), lr=0.1))
