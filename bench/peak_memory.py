"""Peak resident memory of the two inputs a stranger can use to take a shared server's memory.

    .venv/bin/python bench/peak_memory.py                 # this tree
    .venv/bin/python bench/peak_memory.py --root OTHER    # another checkout of the repository, to compare

Each case runs in a fresh Python process that imports what the app imports (torch, streamlit,
``ui.data``), notes its resident memory, then handles the input the way the app does, and
reports the peak (``ru_maxrss``) and what stays resident afterwards while the result is kept
(the app keeps a loaded model in the session):

* ``model``: a 25 MB safetensors file holding a 4,990 x 4,990 bool count matrix with 4,989
  symbols, loaded through ``bigram.modelfile.load_model_bytes`` as the More exercises page does;
* ``upload``: a 25 MB word list of 8 million short lines, parsed by ``ui.data.parse_upload`` with
  the sidebar's options (the app's limits: 1,000,000 words, 3,000 symbols, 100 symbols a word).

A refusal (``BigramError``) is an expected outcome; its message is printed. Not a test: the
figures depend on the machine and the allocator, so they are reported, not asserted.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MB = 1 << 20

CHILD = textwrap.dedent(
    r"""
    import json, resource, sys, time
    sys.path.insert(0, sys.argv[1])
    case = sys.argv[2]

    def rss():
        for line in open("/proc/self/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        return 0

    import torch
    import streamlit
    from bigram import BigramError
    from bigram.modelfile import load_model_bytes
    import ui.data

    torch.set_num_threads(1)
    if case == "model":
        from safetensors.torch import save
        V = 4990
        symbols = [chr(0x4E00 + i) for i in range(V - 1)]
        header = {"format": "bigram-lab", "version": "1", "kind": "counts", "context": "1", "boundary": ".",
                  "symbols": json.dumps(symbols, ensure_ascii=False), "meta": "{}"}
        payload = save({"matrix": torch.ones((V, V), dtype=torch.bool)}, metadata=header)
        name = "big.safetensors"
        run = lambda: load_model_bytes(payload, name)
    else:
        # 1,000,000 three-letter and 7,000,000 two-letter lines: 8 million lines, 25,000,000 bytes.
        two = [bytes([97 + i % 26, 97 + i // 26]) for i in range(676)]
        three = [bytes([97 + i % 26, 97 + i // 26 % 26, 97 + i // 676]) for i in range(17576)]
        lines = [three[i % 17576] for i in range(1_000_000)] + [two[i % 676] for i in range(7_000_000)]
        payload = b"\n".join(lines) + b"\n"
        del lines
        name = "lines.txt"
        run = lambda: ui.data.parse_upload(payload, name, lowercase=True, dedupe=False, min_len=1,
                                           max_len=ui.data.UPLOAD_MAX_WORD_LEN, column=None)
    before = rss()
    start = time.perf_counter()
    try:
        kept = run()
        outcome = "accepted"
    except BigramError as exc:
        kept = None
        outcome = "refused: " + str(exc)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"case": case, "input_bytes": len(payload), "before": before, "peak": peak,
                      "after": rss(), "seconds": seconds, "outcome": outcome}))
    """
)


def measure(root: Path, case: str) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(root), case],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if proc.returncode != 0:
        raise SystemExit(f"{case}: the measuring process failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the repository tree to measure (default: this one)")
    parser.add_argument("--json", action="store_true", help="print one JSON object per case")
    args = parser.parse_args(argv)
    for case in ("model", "upload"):
        r = measure(args.root.resolve(), case)
        if args.json:
            print(json.dumps(r))
            continue
        print(
            f"{case:6}  input {r['input_bytes'] / MB:5.1f} MB  resident before {r['before'] / MB:6.0f} MB  "
            f"peak {r['peak'] / MB:6.0f} MB (+{(r['peak'] - r['before']) / MB:.0f})  "
            f"kept after {r['after'] / MB:6.0f} MB (+{(r['after'] - r['before']) / MB:.0f})  "
            f"{r['seconds']:.2f} s  {r['outcome'][:110]}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
