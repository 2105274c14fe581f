"""Expected values, read from scenarios/default.toml (the mock's embedded default world)."""

from __future__ import annotations

from decimal import Decimal


def instruments(world: dict, inst_type: str) -> list[dict]:
    return [i for i in world.get("instruments", []) if i.get("instType") == inst_type]


def instrument(world: dict, inst_type: str, inst_id: str) -> dict:
    for i in instruments(world, inst_type):
        if i.get("instId") == inst_id:
            return i
    raise KeyError(f"{inst_type} {inst_id} not in the default scenario")


def futures_family(world: dict, inst_family: str) -> dict:
    for i in instruments(world, "FUTURES"):
        if i.get("instFamily") == inst_family:
            return i
    raise KeyError(f"FUTURES family {inst_family} not in the default scenario")


def dec(x) -> Decimal:
    return Decimal(str(x))


def on_grid(value, step) -> bool:
    """True when `value` is an integer multiple of `step` (exact decimal arithmetic)."""
    q = dec(value) / dec(step)
    return q == q.to_integral_value()
