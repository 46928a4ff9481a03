"""A small Server-Sent Events parser for tests (the spec's rules: event/data fields, blank line ends an event)."""
from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any


def parse_sse(lines: Iterable[str]) -> list[tuple[str, str]]:
    events: list[tuple[str, str]] = []
    event, data = "", []
    for raw in lines:
        line = raw.rstrip("\r\n")
        if line == "":
            if data:
                events.append((event or "message", "\n".join(data)))
            event, data = "", []
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if field == "event":
            event = value
        elif field == "data":
            data.append(value)
    if data:
        events.append((event or "message", "\n".join(data)))
    return events


def json_events(lines: Iterable[str]) -> list[tuple[str, Any]]:
    return [(e, json.loads(d)) for e, d in parse_sse(lines)]
