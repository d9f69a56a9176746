"""Write one benchmark's figures into its own section of docs/benchmarks.md."""

import datetime
import re
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
HEADER = "# Benchmarks\n\nFigures written by the scripts in `bench/` (`make bench`); never asserted in tests.\n"


def write_section(title: str, body: str) -> None:
    text = BENCHMARKS.read_text() if BENCHMARKS.exists() else HEADER
    stamp = datetime.date.today().isoformat()
    section = f"## {title}\n\n_Measured {stamp} by `bench/`._\n\n{body}\n"
    pattern = re.compile(rf"^## {re.escape(title)}\n.*?(?=^## |\Z)", re.S | re.M)
    text = pattern.sub(lambda _: section + "\n", text) if pattern.search(text) else text.rstrip() + "\n\n" + section
    BENCHMARKS.write_text(text)
