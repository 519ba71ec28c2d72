#!/usr/bin/env python3
"""Start-up cost of a year of history: writes ROOT/results with DAYS daily CSVs of ROWS rows each (the
daemon's columns, a distinct photo per row), then starts fashionsortd on it RUNS times and prints the time
from exec to the "ready" log line and the resident memory then (VmRSS, and the peak VmHWM).

    python3 deploy/bench-history.py --bin .build/release/fashionsortd [--days 365 --rows 3014 --runs 3]
"""
import argparse
import hashlib
import os
import shutil
import subprocess
import tempfile
import time

COLUMNS = ("time,file,sha256,status,label,class,confidence,second_class,second_confidence,output,model,ms,error,"
           "duplicate_of,id")


def write_history(results, days, rows):
    os.makedirs(results, exist_ok=True)
    n = 0
    for d in range(days):
        day = time.strftime("%Y-%m-%d", time.gmtime(1735689600 + d * 86400))
        with open(f"{results}/{day}-bench.csv", "w", newline="") as f:
            f.write(COLUMNS + "\r\n")
            for _ in range(rows):
                sha = hashlib.sha256(n.to_bytes(8, "little")).hexdigest()
                f.write(f"{day}T12:00:00.000Z,photo-{n}.jpg,{sha},classified,4,Coat,0.9100,Shirt,0.0500,"
                        f"/srv/out/coat/photo-{n}.jpg,34620aad6c418607,4.2,,,id{n:08x}\r\n")
                n += 1
    return n


def start(binary, root, model):
    args = [binary, "--root", root, "--instance", "bench"] + (["--model", model] if model else [])
    t0 = time.monotonic()
    p = subprocess.Popen(args, stderr=subprocess.PIPE, text=True)
    for line in p.stderr:
        if " ready " in line or line.rstrip().endswith(" ready") or "notice ready" in line:
            break
    ready = time.monotonic() - t0
    status = open(f"/proc/{p.pid}/status").read().splitlines()
    mem = {l.split(":")[0]: int(l.split()[1]) // 1024 for l in status if l.startswith(("VmRSS", "VmHWM"))}
    p.terminate()
    p.wait(timeout=20)
    return ready, mem["VmRSS"], mem["VmHWM"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", required=True)
    parser.add_argument("--model")
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--rows", type=int, default=3014)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    root = tempfile.mkdtemp(prefix="fashionsort-history-")
    try:
        t0 = time.monotonic()
        n = write_history(f"{root}/results", args.days, args.rows)
        print(f"{n:,} rows in {args.days} CSVs written in {time.monotonic() - t0:.1f} s")
        for run in range(args.runs):
            ready, rss, peak = start(args.bin, root, args.model)
            what = "first start (index built)" if run == 0 else "start"
            print(f"{what}: READY after {ready * 1000:.0f} ms, RSS {rss} MB (peak {peak} MB)")
    finally:
        shutil.rmtree(root)


if __name__ == "__main__":
    main()
