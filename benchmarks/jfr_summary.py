#!/usr/bin/env python3
"""Summarizes a JFR recording made by profile.sh: the top frames of jdk.ExecutionSample (where the CPU time goes,
by the method on top of the stack, and by the first io.upgradebridge method on the stack) and the allocation hot
spots of jdk.ObjectAllocationSample (bytes by class and allocating method). Usage: jfr_summary.py FILE.jfr [N]"""
import collections
import json
import subprocess
import sys

OURS = "io.upgradebridge."


def frame_name(frame):
    method = frame["method"]
    return f"{method['type']['name'].replace('/', '.')}.{method['name']}"


def events(path, kind):
    out = subprocess.run(["jfr", "print", "--json", "--stack-depth", "24", "--events", kind, path],
                         check=True, capture_output=True, text=True, timeout=300).stdout
    return json.loads(out)["recording"]["events"]


def ours_on_stack(frames):
    """The io.upgradebridge methods on the stack, innermost first, without lambda frames, each once."""
    seen = []
    for f in frames:
        name = frame_name(f)
        if name.startswith(OURS) and "$$Lambda" not in name and name not in seen:
            seen.append(name)
    return seen


def first_ours(frames):
    names = ours_on_stack(frames)
    return names[0] if names else "(no io.upgradebridge frame)"


def table(title, counter, total, unit):
    print(f"\n{title}\n")
    print(f"| # | {unit} | share | frame |")
    print("|---:|---:|---:|---|")
    for i, (name, n) in enumerate(counter.most_common(TOP), 1):
        print(f"| {i} | {n:,.0f} | {100.0 * n / total:.1f}% | `{name}` |")


path = sys.argv[1]
TOP = int(sys.argv[2]) if len(sys.argv) > 2 else 10

samples = [e for e in events(path, "jdk.ExecutionSample") if e["values"].get("stackTrace")]
top = collections.Counter()
ours = collections.Counter()
for e in samples:
    frames = e["values"]["stackTrace"]["frames"]
    if frames:
        top[frame_name(frames[0])] += 1
        for name in ours_on_stack(frames):
            ours[name] += 1
print(f"{len(samples)} execution samples")
table("CPU: top frames (self time: the method on top of the stack)", top, max(1, len(samples)), "samples")
table("CPU: io.upgradebridge methods on the stack (inclusive, top 24 frames)", ours, max(1, len(samples)), "samples")

allocs = events(path, "jdk.ObjectAllocationSample")
by_site = collections.Counter()
by_ours = collections.Counter()
total = 0
for e in allocs:
    v = e["values"]
    weight = v.get("weight", 0)
    total += weight
    cls = v.get("objectClass", {}).get("name", "?")
    frames = (v.get("stackTrace") or {}).get("frames", [])
    site = frame_name(frames[0]) if frames else "?"
    by_site[f"{cls} in {site}"] += weight
    by_ours[f"{cls} under {first_ours(frames)}"] += weight
print(f"\n{len(allocs)} allocation samples, {total / 1e6:,.0f} MB sampled weight")
table("Allocation: bytes by class and allocating method", by_site, max(1, total), "bytes")
table("Allocation: bytes by class and first io.upgradebridge frame", by_ours, max(1, total), "bytes")
