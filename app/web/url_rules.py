"""URL rules whose builders are compiled once per process, not once per app.

Werkzeug compiles two URL builder functions for every rule when the rule is added (an AST
compiled with `compile()`, about 0.7 ms each). With ~300 rules that is 0.4 s for each app
the factory makes: paid once by a server process, but by every test and by every worker
that builds an app. A builder is a plain function of the rule's text, defaults and
converters that takes the rule as its first argument, so one compiled function serves
every rule with the same definition."""
from __future__ import annotations

from typing import Callable

from werkzeug.routing import Rule

_BUILDERS: dict[tuple, Callable] = {}


class SharedBuilderRule(Rule):
    def _compile_builder(self, append_unknown: bool = True):
        key = (self._definition(), append_unknown)
        builder = _BUILDERS.get(key)
        if builder is None:
            builder = _BUILDERS[key] = super()._compile_builder(append_unknown)
        return builder

    def _definition(self) -> tuple:
        defaults = tuple(sorted((key, repr(value)) for key, value in (self.defaults or {}).items()))
        return (self.rule, self.subdomain, self.host, self.map.host_matching, self.merge_slashes,
                defaults, tuple((name, _converter_definition(converter))
                                for name, converter in self._converters.items()))


def _converter_definition(converter) -> tuple:
    """What a converter turns a default into: its class and settings (not the map it serves)."""
    settings = sorted((key, repr(value)) for key, value in vars(converter).items() if key != "map")
    return (type(converter), tuple(settings))
