"""Says plainly, before the suite runs, whether the browser tests can run on this machine."""

import os
import shutil
import sys

CHROMIUM = os.environ.get("COMITY_CHROMIUM", "/usr/bin/chromium")


def main() -> int:
    if os.path.exists(CHROMIUM) or shutil.which("chromium"):
        print(f"Browser tests: Chromium found at {CHROMIUM}; they will run.")
        return 0
    if os.environ.get("COMITY_REQUIRE_BROWSER") == "1":
        print(f"Browser tests: Chromium is required (COMITY_REQUIRE_BROWSER=1) but missing at {CHROMIUM}.")
        return 1
    print(
        f"Browser tests: SKIPPED, because Chromium is not installed at {CHROMIUM}. "
        "Install Debian's package (apt-get install chromium) to run them; CI always does."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
