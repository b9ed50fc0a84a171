"""Install backends, one module each, all with the interface in ``base.py``."""

from __future__ import annotations

from types import ModuleType

from harness.backends import container, debian, source, unavailable, virtualenv

BACKENDS: dict[str, ModuleType] = {
    module.NAME: module for module in (virtualenv, debian, source, container, unavailable)
}


def backend_for(name: str) -> ModuleType:
    return BACKENDS[name]
