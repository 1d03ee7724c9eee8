"""Deserialisation checks that depend on the loader or flags passed."""

from __future__ import annotations

import ast

from analysis.security.context import Context, argument, callee, is_true
from analysis.security.registry import check
from analysis.security.rules import NUMPY_PICKLE, TORCH_LOAD, UNSAFE_YAML

_TORCH_LOADS = frozenset({"torch.load", "torch.serialization.load"})
_YAML_LOADS = frozenset({"yaml.load", "yaml.load_all"})
_YAML_ALWAYS_UNSAFE = frozenset({"yaml.unsafe_load", "yaml.unsafe_load_all"})
_SAFE_LOADERS = frozenset({"SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader"})


@check(ast.Call, UNSAFE_YAML)
def unsafe_yaml_load(ctx: Context[ast.Call]) -> bool:
    """``yaml.load`` without ``SafeLoader``/``BaseLoader``, or ``yaml.unsafe_load``."""
    name = callee(ctx)
    if name in _YAML_ALWAYS_UNSAFE:
        return True
    if name not in _YAML_LOADS:
        return False
    loader = argument(ctx.node, 1, "Loader")
    loader_name = ctx.qualname(loader) if loader is not None else None
    return loader_name is None or loader_name.rsplit(".", 1)[-1] not in _SAFE_LOADERS


@check(ast.Call, TORCH_LOAD)
def torch_load_without_weights_only(ctx: Context[ast.Call]) -> bool:
    """``torch.load(...)`` unless ``weights_only=True`` is passed."""
    return callee(ctx) in _TORCH_LOADS and not is_true(argument(ctx.node, None, "weights_only"))


@check(ast.Call, NUMPY_PICKLE)
def numpy_allow_pickle(ctx: Context[ast.Call]) -> bool:
    """``numpy.load(..., allow_pickle=True)``."""
    return callee(ctx) == "numpy.load" and is_true(argument(ctx.node, 2, "allow_pickle"))
