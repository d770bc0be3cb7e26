#!/usr/bin/env bash
# Checks that scripts/site.sh builds the site cargo-leptos builds: the
# front end is built both ways from the same wasm, and the results must
# have the same files under the same content-hashed names, the same wasm,
# stylesheet and public files byte for byte, a js of the same exports from
# the same minifier (its version may differ from the one in cargo-leptos),
# precompressed files that decompress to what they stand for, and the same
# hash.txt but for the js line. Needs cargo-leptos (scripts/setup.sh
# --cargo-leptos); `make site-check` runs it.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

have cargo-leptos || { say "cargo-leptos is missing: scripts/setup.sh --cargo-leptos"; exit 1; }
SITE="$ROOT/target/site"
HASH_FILE="$(target_dir)/release/hash.txt"
work="$(mktemp -d -t site-check.XXXXXX)"
trap 'rm -rf "$work"' EXIT

say "the front end by cargo-leptos"
scripts/wasm-env.sh cargo leptos build --release --precompress --frontend-only
mv "$SITE" "$work/leptos"
cp "$HASH_FILE" "$work/leptos.hash.txt"
say "the front end by scripts/site.sh"
scripts/site.sh --front
cp -R "$SITE" "$work/site"
cp "$HASH_FILE" "$work/site.hash.txt"

python3 - "$work" <<'PY'
import gzip, pathlib, re, subprocess, sys

work = pathlib.Path(sys.argv[1])
leptos, site = work / "leptos", work / "site"
problems = []

def files(root):
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}

def unhashed_js(name):
    return re.sub(r"\.[A-Za-z0-9_-]{22}\.js", ".<hash>.js", name)

# cargo-leptos leaves the TypeScript declarations, which the shop deletes
# and never serves.
ours = files(site)
theirs = {f for f in files(leptos) if not re.search(r"\.d(\.[A-Za-z0-9_-]{22})?\.ts(\.gz|\.br)?$", f)}
if {unhashed_js(f) for f in ours} != {unhashed_js(f) for f in theirs}:
    problems.append(f"file lists differ: only ours {sorted(ours - theirs)}, only theirs {sorted(theirs - ours)}")

for name in sorted(ours & theirs):
    if name.endswith((".gz", ".br")):
        continue
    if (site / name).read_bytes() != (leptos / name).read_bytes():
        problems.append(f"{name} differs")

js = lambda root: next(root.glob("pkg/*.js"))
exports = lambda text: sorted(
    name for group in re.findall(r"export\s*\{([^}]*)\}", text)
    for name in re.findall(r"(?:\bas\s+)?(\w+)\s*(?:,|$)", group))
ours_js, theirs_js = js(site).read_text(), js(leptos).read_text()
if exports(ours_js) != exports(theirs_js):
    problems.append(f"the js exports differ: {exports(ours_js)} / {exports(theirs_js)}")
size_ratio = len(ours_js) / len(theirs_js)
if not 0.97 <= size_ratio <= 1.03:
    problems.append(f"the js is {len(ours_js)} bytes against {len(theirs_js)}")

for compressed in sorted(site.rglob("*.gz")) + sorted(site.rglob("*.br")):
    original = compressed.with_suffix("")
    if compressed.suffix == ".gz":
        data = gzip.decompress(compressed.read_bytes())
    else:
        data = subprocess.run(["brotli", "-d", "-c", str(compressed)], check=True, capture_output=True).stdout
    if data != original.read_bytes():
        problems.append(f"{compressed.name} does not decompress to {original.name}")

hashes = lambda f: dict(line.split(": ") for line in f.read_text().split("\n") if line)
ours_h, theirs_h = hashes(work / "site.hash.txt"), hashes(work / "leptos.hash.txt")
if {k: v for k, v in ours_h.items() if k != "js"} != {k: v for k, v in theirs_h.items() if k != "js"} or ours_h.keys() != theirs_h.keys():
    problems.append(f"hash.txt differs: {ours_h} / {theirs_h}")

for f in sorted(ours):
    print(f"{(site / f).stat().st_size:>9} {f}")
print(f"js: {len(ours_js)} bytes (swc from npm) against {len(theirs_js)} (cargo-leptos)")
if problems:
    print("\n".join(problems))
    sys.exit(1)
print("the same site as cargo-leptos")
PY
