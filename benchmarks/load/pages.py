"""The request names of the load test (benchmarks/load/locustfile.py): the runner's table lists
them in this order, and the smoke test expects each. No locust import here (it patches the standard
library with gevent), so the runner can read them."""

FLOOR = "floor: /ping/"
CASE_WORKER_PAGES = [
    "dashboard",
    "candidates: list",
    "candidates: search q=Pflege",
    "candidates: filter",
    "candidate: detail",
    "matches: overview",
    "allocation",
    "position: matches",
    "candidate: matches",
    "explanation",
    "introductions: list",
    "write: candidate edit (GET form)",
    "write: candidate edit (POST)",
    "write: match decision (POST)",
]
EMPLOYER_PAGES = [
    "employer: positions",
    "employer: position detail",
    "employer: introductions",
    "jobs: list",
    "jobs: detail",
    "write: position edit (GET form)",
    "write: position edit (POST)",
]
PAGES = [*CASE_WORKER_PAGES, *EMPLOYER_PAGES]
