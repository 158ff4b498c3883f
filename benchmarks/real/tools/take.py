"""Copy an excerpt of a fetched public notebook into benchmarks/real/, byte for byte,
and record its provenance in manifest.json.

Usage: python take.py ID OWNER/REPO PATH START END SHAPE [NOTE]
(lines START..END inclusive, 1-based; END 0 = to the end of the file;
environment REF names another branch or commit than HEAD)
The repository must already be fetched under /work/.mirror/OWNER+REPO/.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
MIRROR = Path("/work/.mirror")
LICENCE_NAMES = (
    "LICENSE",
    "LICENSE.md",
    "LICENSE.txt",
    "LICENCE",
    "COPYING",
    "license",
    "License.md",
)


def git(repo: Path, *args: str) -> bytes:
    return subprocess.run(
        ["git", "--git-dir", str(repo), *args], check=True, capture_output=True
    ).stdout


def gitdir(slug: str) -> Path:
    base = MIRROR / slug.replace("/", "+") / "repo"
    return base / ".git" if (base / ".git").is_dir() else base


def licence(repo: Path) -> str:
    names = git(repo, "ls-tree", "--name-only", "HEAD").decode().split("\n")
    for name in LICENCE_NAMES:
        if name in names:
            head = git(repo, "show", f"HEAD:{name}").decode("utf-8", "replace").strip().split("\n")
            first = next((line.strip() for line in head if line.strip()), "")
            return f"{name}: {first[:80]}"
    return "none found → excerpt"


def main(argv: list[str]) -> int:
    ident, slug, path, start, end, shape = argv[:6]
    note = argv[6] if len(argv) > 6 else ""
    repo = gitdir(slug)
    ref = os.environ.get("REF", "HEAD")
    commit = git(repo, "rev-parse", ref).decode().strip()
    data = git(repo, "show", f"{commit}:{path}")
    lines = data.split(b"\n")
    a, b = int(start), int(end) or len(lines)
    if data.endswith(b"\n") and b == len(lines):
        b -= 1  # the empty piece after the final newline is not a line
    chunk = b"\n".join(lines[a - 1 : b]) + b"\n"
    out = HERE / f"{ident}.md"
    out.write_bytes(chunk)
    manifest = HERE / "manifest.json"
    rows = json.loads(manifest.read_text(encoding="utf-8")) if manifest.exists() else []
    rows = [r for r in rows if r["id"] != ident]
    lic = licence(repo)
    row = {
        "id": ident,
        "owner": slug.split("/")[0],
        "repo": slug,
        "path": path,
        "commit": commit,
        "lines": f"{a}-{b}",
        "of_lines": len(lines) - (1 if data.endswith(b"\n") else 0),
        "shape": shape,
        "licence": "unclear → excerpt" if lic.startswith("none") else lic,
        "note": note,
    }
    rows.append(row)
    rows.sort(key=lambda r: r["id"])
    manifest.write_text(json.dumps(rows, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{out.name}: lines {a}-{b} of {path} @ {commit[:10]}; licence: {row['licence']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
