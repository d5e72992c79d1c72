"""Log in as a user and save full-page PNGs of the given paths, to look at pages as users do.

python scripts/screenshot.py --base http://127.0.0.1:8000 --user jingban OUT_DIR /path ...
"""

import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--user", default="")
    parser.add_argument("--password", default="Qingqian@2026")
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("out", type=Path)
    parser.add_argument("paths", nargs="+")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": args.width, "height": 900})
        if args.user:
            page.goto(f"{args.base}/login/")
            page.fill("#id_username", args.user)
            page.fill("#id_password", args.password)
            page.click("button[type=submit]")
        for path in args.paths:
            page.goto(args.base + path)
            name = path.strip("/").replace("/", "_").replace("?", "_") or "root"
            page.screenshot(path=args.out / f"{args.user or 'anon'}-{name}.png", full_page=True)
        browser.close()


if __name__ == "__main__":
    main()
