"""The Case record the op families are written in, and what the tests do with one: run it,
decide whether finite differences apply, and list the torch graph nodes it exercises.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

import numpy as np

import crosscheck as cc


@dataclass(frozen=True)
class Case:
    """One cross-check sample: an id for reports, the lambda, its inputs and what to run."""
    id: str
    fn: Callable
    inputs: tuple
    ops: tuple = ()  # op names covered (defaults to the id's first component)
    grad: bool = True
    gradcheck: bool = True  # False at kinks and ties, where finite differences do not apply
    gradgrad: bool = False
    dtypes: tuple = cc.DTYPES
    exact: bool = False
    rtol: float | None = None
    atol: float | None = None


def case(id: str, fn: Callable, *inputs, ops=None, **kw) -> Case:
    return Case(id, fn, tuple(inputs), tuple(ops) if ops else (id.split("/")[0],), **kw)


def run_case(c: Case):
    cc.check(c.fn, *c.inputs, dtypes=c.dtypes, grad=c.grad, rtol=c.rtol, atol=c.atol,
             exact=c.exact, label=c.id)


def _torch_outputs(c: Case):
    torch = cc.reference()
    specs = [cc.as_arg(x) for x in c.inputs]
    samples = cc.draw(specs, np.random.default_rng(0))
    return cc.run_in(torch, c.fn, specs, samples, "float64", True)[1]


def differentiable(c: Case) -> bool:
    """Whether an output of the case requires grad in torch (a case that fails to run in torch
    counts as differentiable, so that its tests run and report the failure)."""
    if not c.grad:
        return False
    try:
        outs = _torch_outputs(c)
    except Exception:  # noqa: BLE001
        return True
    return any(cc.is_tensor(cc.reference(), o) and o.requires_grad for o in outs)


def graph_op_names(c: Case) -> set:
    """Op names of every node torch records for the case ('AddmmBackward0' -> 'addmm')."""
    torch = cc.reference()
    names, seen = set(), set()
    stack = [o.grad_fn for o in _torch_outputs(c) if cc.is_tensor(torch, o) and o.grad_fn]
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        stem = re.sub(r"Backward\d*$|Backwards$", "", type(node).__name__)
        names.add(re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", stem).lower())
        stack.extend(nxt for nxt, _ in node.next_functions)
    return names
