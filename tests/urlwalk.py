"""Walk every URL pattern of the project and build a sample URL for each named one."""

import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils.regex_helper import normalize

SAMPLES = {"int": "1", "str": "sample", "slug": "sample", "path": "1", "uuid": "00000000-0000-0000-0000-000000000001"}
# Values tried for regex groups until one makes the URL resolve back to its pattern.
REGEX_SAMPLES = ["1", "sample", "auth", "1-1"]


@dataclass(frozen=True)
class SampleURL:
    name: str  # namespaced, e.g. "admin:index"
    path: str


def _route_options(pattern) -> list[str]:
    if isinstance(pattern, RoutePattern):
        route = str(pattern)

        def fill(match: re.Match) -> str:
            converter = match.group(1) or "str"
            return SAMPLES.get(converter, "1")

        return [re.sub(r"<(?:(\w+):)?\w+>", fill, route)]
    if isinstance(pattern, RegexPattern):
        fmt, params = normalize(pattern.regex.pattern)[0]
        return [fmt % dict.fromkeys(params, value) for value in REGEX_SAMPLES]
    raise TypeError(pattern)


def _walk(patterns, prefixes: list[list[str]], namespace: str | None) -> Iterator[tuple[str, list[list[str]]]]:
    for entry in patterns:
        options = [*prefixes, _route_options(entry.pattern)]
        if isinstance(entry, URLResolver):
            ns = entry.namespace
            full_ns = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from _walk(entry.url_patterns, options, full_ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield (f"{namespace}:{entry.name}" if namespace else entry.name), options


def _candidates(options: list[list[str]]) -> Iterator[str]:
    if not options:
        yield "/"
        return
    head, *rest = options
    for part in head:
        for tail in _candidates(rest):
            yield "/" + (part + tail.lstrip("/")).lstrip("^")


def all_sample_urls() -> list[SampleURL]:
    """One resolvable sample URL per named pattern; fails loudly where none can be built."""
    found: dict[str, SampleURL] = {}
    unbuildable = []
    for name, options in _walk(get_resolver().url_patterns, [], None):
        if name in found:
            continue
        for candidate in _candidates(options):
            path = candidate.replace("^", "").replace("$", "")
            try:
                match = resolve(path)
            except Resolver404:
                continue
            if match.view_name == name:
                found[name] = SampleURL(name, path)
                break
        else:
            unbuildable.append(name)
    assert not unbuildable, f"no sample URL could be built for {unbuildable}; extend tests/urlwalk.py"
    return sorted(found.values(), key=lambda u: u.name)
