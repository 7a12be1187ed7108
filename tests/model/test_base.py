"""The module contract: what a declaration may say, checked when the module is defined."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from detente.model import (
    MODULE_ORDER,
    Cast,
    Kernel,
    Module,
    ParamSpec,
    Read,
    VariableSpec,
    military,
)
from detente.model.base import kernel_layout
from detente.model.equations import equation

#: A cast of two sides, each with a supporter, that names no real war.
CAST = Cast(sides=("blue", "red"), supporters=("ally", "patron"), supports=("blue", "red"))


def _init(p, n, state):
    return {"stock": np.zeros(n)}


def _step(s, x, p, u, ctx):
    return {"stock": s["stock"]}


def module(**kw) -> Module:
    base = {"name": "toy", "description": "a toy",
            "params": (ParamSpec("rate", "1/day", "r"),),
            "variables": (VariableSpec("stock", "persons", "s"),), "init": _init,
            "step": _step}
    return Module(**{**base, **kw})


@equation
def toy_step(stock, rate, drive, boost, dt):
    return (stock + dt * rate * drive * boost,)


@equation
def toy_init(rate):
    return (0.0 * rate,)


@equation
def boost(rate):
    return 1.0 + rate


def test_names_are_unique() -> None:
    with pytest.raises(ValueError, match=r"declares the variable.*stock.*more than once"):
        module(variables=(VariableSpec("stock", "p", "a"), VariableSpec("stock", "p", "b")))
    with pytest.raises(ValueError, match=r"declares the read.*drive.*more than once"):
        module(reads=(Read("drive", 1.0), Read("drive", 0.0, "step")))


def test_a_module_does_not_declare_reads_of_its_own_variables() -> None:
    with pytest.raises(ValueError, match=r"reads of its own variable.*stock"):
        module(reads=(Read("stock", 0.0),))


def test_a_kernel_is_sorted_by_its_signature() -> None:
    m = module(reads=(Read("drive", 1.0),),
               kernel=Kernel(step=toy_step, init=toy_init, derived=(boost,), zero=("rate",)))
    layout = m.kernel_layout
    assert layout.arguments == ("stock", "rate", "drive", "boost", "dt")
    assert (layout.state, layout.params, layout.reads, layout.derived) == (
        ("stock",), ("rate",), ("drive",), ("boost",))
    assert layout.init_arguments == ("rate",)
    assert layout.derived_arguments == (("rate",),)
    assert kernel_layout(m) == layout
    # the layout travels with the module (process workers get plans by pickle)
    assert pickle.loads(pickle.dumps(m)).kernel_layout == layout


def test_a_kernel_argument_must_be_a_name_the_module_knows() -> None:
    with pytest.raises(ValueError, match=r"kernel step of module 'toy' \(toy_step\) takes "
                                         r"drive, boost"):
        module(kernel=Kernel(step=toy_step, init=toy_init, zero=()))

    @equation
    def bad_init(stock):
        return (stock,)

    with pytest.raises(ValueError, match=r"kernel init .* takes stock: expected the "
                                         r"module's parameters or declared reads"):
        module(reads=(Read("drive", 1.0),),
               kernel=Kernel(step=toy_step, init=bad_init, derived=(boost,), zero=()))
    with pytest.raises(ValueError, match="needs speed to be 0, but the module has no such"):
        module(reads=(Read("drive", 1.0),),
               kernel=Kernel(step=toy_step, init=toy_init, derived=(boost,), zero=("speed",)))


def test_every_module_declares_a_contract_that_holds() -> None:
    from detente.model import available_modules

    mods = available_modules(CAST)
    assert tuple(mods) == MODULE_ORDER
    writers = {v.name: m.name for m in mods.values() for v in m.variables}
    for m in mods.values():
        for r in m.reads:
            assert r.name in writers, (m.name, r.name)
            assert writers[r.name] != m.name
            assert r.when in ("start", "step")
    assert military.build(CAST) is mods["military"]  # built once per cast
    assert mods["military"].kernel is not None


# ------------------------------------------------------------------ defaults
def test_a_default_lies_in_the_parameter_range() -> None:
    assert ParamSpec("rate", "1/day", "r", 0.0, None, 0.0).default == 0.0
    for bad in (-0.5, 1.5, float("nan"), float("inf")):
        with pytest.raises(ValueError, match=r"'share' has the default .* outside its range"):
            ParamSpec("share", "fraction", "s", 0.0, 1.0, bad)


def test_every_switch_defaults_to_off() -> None:
    from detente.model import available_modules
    from detente.model._common import switch

    assert switch("x_switch", "x").default == 0.0
    switches = [s for m in available_modules(CAST).values() for s in m.params
                if s.unit == "switch"]
    assert switches
    assert {s.name: s.default for s in switches} == {s.name: 0.0 for s in switches}


def test_what_a_kernel_needs_at_zero_is_zero_by_default() -> None:
    # a file that leaves out every mechanism the kernel leaves out runs the kernel
    from detente.model import available_modules

    for m in available_modules(CAST).values():
        if m.kernel is None:
            continue
        specs = {s.name: s for s in m.params}
        assert {z: specs[z].default for z in m.kernel.zero} == dict.fromkeys(m.kernel.zero, 0.0)


def test_what_describes_the_war_has_no_default() -> None:
    from detente.model import available_modules

    specs = {s.name: s for m in available_modules(CAST).values() for s in m.params}
    war = ("blue.personnel0", "red.personnel0", "blue.effectiveness", "blue.shells0",
           "blue.pool0", "red.ramp_time", "mil_ground_price", "security_lag")
    assert {n: specs[n].default for n in war} == dict.fromkeys(war)
