"""Install backends, one module each, all with the interface in ``base.py``."""

from __future__ import annotations

from types import ModuleType

from harness.backends import debian, source, unavailable, virtualenv

BACKENDS: dict[str, ModuleType] = {
    module.NAME: module for module in (virtualenv, debian, source, unavailable)
}


def backend_for(name: str) -> ModuleType:
    return BACKENDS[name]
