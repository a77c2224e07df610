"""Prints the failed checks of a conformance run saved with `-o DIR`: one line per check.

Usage: conformance_failures.py DIR
"""

import json
import pathlib
import sys


def main() -> int:
    root = pathlib.Path(sys.argv[1])
    for checks_file in sorted(root.glob("*/checks.json")):
        scenario = checks_file.parent.name
        try:
            checks = json.loads(checks_file.read_text())
        except (OSError, ValueError) as exc:
            print(f"  {scenario}: unreadable checks.json ({exc})")
            continue
        for check in checks:
            if check.get("status") == "FAILURE":
                message = check.get("errorMessage") or check.get("description") or ""
                print(f"  {scenario} [{check.get('id')}]: {message}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
