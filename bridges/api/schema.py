"""The schema's error answers: every operation may answer with problem details (RFC 9457)."""

from __future__ import annotations

from bridges.api.errors import PROBLEM

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "Problem details (RFC 9457).",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "description": "For invalid input: the messages by field.",
            "type": "object",
            "additionalProperties": True,
        },
    },
    "required": ["type", "title", "status"],
}
ERRORS = {
    "400": "Invalid input (the messages by field under `errors`) or an invalid filter.",
    "401": "No token, or a token that is unknown, expired or revoked.",
    "403": "Not allowed for this role.",
    "404": "No such record, or another organisation's.",
    "405": "Method not allowed.",
    "406": "Only JSON is answered.",
    "415": "Send JSON.",
    "429": "Too many requests with this token; see Retry-After.",
}


def problem_responses(result, generator, request, public):
    """drf-spectacular post-processing hook: the error answers of every operation."""
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    problem = {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for methods in result.get("paths", {}).values():
        for operation in methods.values():
            responses = operation.setdefault("responses", {})
            for code, text in ERRORS.items():
                responses.setdefault(code, {"description": text, "content": problem})
    return result
