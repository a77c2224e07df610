"""Gates a conformance run on the results the suite saved with `-o DIR`, not on its printout.

Usage: conformance_gate.py DIR LABEL MINIMUMS [--no-skips]

DIR holds one folder per scenario (`server-SCENARIO-TIMESTAMP/checks.json`, a list of checks,
each with a `status`). The run fails, with exit status 1, when
- any check is a FAILURE or a WARNING, or has a status this script does not know;
- a checks.json is unreadable or not a list of checks;
- fewer scenarios ran, or fewer checks succeeded, than the minimum committed for LABEL in the
  file MINIMUMS (lines `LABEL SCENARIOS CHECKS`; `#` starts a comment), or LABEL has none;
- with --no-skips, any check is SKIPPED (for runs whose every check must be exercised).
It prints one summary line, then each check that failed the run.
"""

import json
import pathlib
import re
import sys
from collections import Counter

# What each status does to the run; a status not listed fails it.
PASSING = {"SUCCESS", "INFO", "SKIPPED"}
FAILING = {"FAILURE", "WARNING"}
TIMESTAMP = re.compile(r"-\d{4}-\d{2}-\d{2}T[\d-]+Z$")


def scenario_name(folder: pathlib.Path) -> str:
    """`server-tools-list-2026-12-03T07-40-01-123Z` -> `tools-list`."""
    name = TIMESTAMP.sub("", folder.name)
    return name.removeprefix("server-")


def read_minimums(path: pathlib.Path) -> dict[str, tuple[int, int]]:
    minimums = {}
    for number, line in enumerate(path.read_text().splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        fields = line.split()
        if len(fields) != 3 or not fields[1].isdigit() or not fields[2].isdigit():
            raise ValueError(f"{path}:{number}: expected `LABEL SCENARIOS CHECKS`, got {line!r}")
        minimums[fields[0]] = (int(fields[1]), int(fields[2]))
    return minimums


def gate(
    root: pathlib.Path, label: str, minimums: dict[str, tuple[int, int]], no_skips: bool = False
) -> list[str]:
    """Every reason the run fails (none when it passes); prints the summary line."""
    problems = []
    failing = FAILING | {"SKIPPED"} if no_skips else FAILING
    statuses: Counter[str] = Counter()
    scenarios = 0
    untested = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []:
        checks_file = folder / "checks.json"
        if not checks_file.exists():
            # The suite makes the folder before deciding a scenario does not apply.
            continue
        scenario = scenario_name(folder)
        scenarios += 1
        try:
            checks = json.loads(checks_file.read_text())
        except (OSError, ValueError) as exc:
            problems.append(f"{scenario}: unreadable checks.json ({exc})")
            continue
        if not isinstance(checks, list) or not all(isinstance(c, dict) for c in checks):
            problems.append(f"{scenario}: checks.json is not a list of checks")
            continue
        if not any(c.get("status") == "SUCCESS" for c in checks):
            untested.append(scenario)
        for check in checks:
            status = check.get("status")
            statuses[str(status)] += 1
            if status in PASSING and status not in failing:
                continue
            message = check.get("errorMessage") or check.get("description") or ""
            kind = status if status in failing else f"unknown status {status!r}"
            problems.append(f"{scenario} [{check.get('id')}] {kind}: {message}")
    passed = statuses["SUCCESS"]
    summary = ", ".join(f"{n} {s}" for s, n in sorted(statuses.items()))
    minimum = minimums.get(label)
    if minimum is None:
        problems.append(f"no minimum committed for {label}")
        shown = "none committed"
    else:
        shown = f"minimum {minimum[0]} scenarios, {minimum[1]} checks"
        if scenarios < minimum[0]:
            problems.append(f"{scenarios} scenarios ran, fewer than the minimum {minimum[0]}")
        if passed < minimum[1]:
            problems.append(f"{passed} checks succeeded, fewer than the minimum {minimum[1]}")
    print(f"{label}: {scenarios} scenarios, {passed} checks succeeded ({summary or 'no checks'}; {shown})")
    if untested:
        # Not a failure (the suite skips some scenarios itself), but nothing there was tested.
        print(f"  no check succeeded in: {', '.join(untested)}")
    return problems


def main() -> int:
    args = sys.argv[1:]
    no_skips = "--no-skips" in args
    args = [a for a in args if a != "--no-skips"]
    if len(args) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    root, label, minimums_path = pathlib.Path(args[0]), args[1], pathlib.Path(args[2])
    try:
        minimums = read_minimums(minimums_path)
    except (OSError, ValueError) as exc:
        print(f"{label}: cannot read the minimums: {exc}")
        return 1
    problems = gate(root, label, minimums, no_skips)
    for problem in problems:
        print(f"  FAIL {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
