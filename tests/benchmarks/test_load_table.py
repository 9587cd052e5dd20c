"""The load test's verdicts from locust's CSV (benchmarks/load/__main__.py: `results`, `print_table`)."""

import csv

from benchmarks.load.__main__ import print_table, results

FLOOR = "floor: /ping/"
COLUMNS = ["Type", "Name", "Request Count", "Failure Count", "50%", "95%", "99%"]


def stats_csv(tmp_path, rows):
    path = tmp_path / "locust_stats.csv"
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    return path


def verdicts(capsys) -> dict[str, str]:
    lines = capsys.readouterr().out.splitlines()
    return {line[:36].strip(): line.split("  ")[-1].strip() for line in lines if line[:36].strip()}


def test_a_page_within_three_times_the_floor_meets_the_target_and_one_above_does_not(tmp_path, capsys):
    path = stats_csv(
        tmp_path,
        [
            ["GET", FLOOR, 100, 0, 10, 40, 60],
            ["GET", "dashboard", 50, 0, 60, 120, 150],
            ["GET", "candidates: list", 50, 0, 70, 130, 160],
            ["", "Aggregated", 200, 0, 30, 120, 160],
        ],
    )
    figures = results(path, ["dashboard", "candidates: list"], FLOOR)
    assert figures["pages"]["dashboard"]["meets_target"] is True  # 120 = 3 × 40
    assert figures["pages"]["candidates: list"]["meets_target"] is False  # 130 > 3 × 40
    assert figures["meets_target"] is False
    print_table(figures, FLOOR)
    assert verdicts(capsys)["candidates: list"] == "no"


def test_the_logins_left_empty_by_the_reset_are_not_judged_and_a_key_page_never_asked_for_fails(tmp_path, capsys):
    # Once the last user has logged in the statistics start anew: the login rows stay, with no requests.
    path = stats_csv(
        tmp_path,
        [
            ["GET", FLOOR, 100, 0, 10, 40, 60],
            ["GET", "dashboard", 50, 0, 60, 100, 150],
            ["POST", "login (POST)", 0, 0, "N/A", "N/A", "N/A"],
        ],
    )
    figures = results(path, ["dashboard"], FLOOR)
    assert figures["meets_target"] is True
    print_table(figures, FLOOR)
    assert verdicts(capsys)["login (POST)"] == "(not a key page)"

    figures = results(path, ["dashboard", "explanation"], FLOOR)
    assert figures["meets_target"] is False
    print_table(figures, FLOOR)
    assert verdicts(capsys)["explanation"] == "no: never requested"
