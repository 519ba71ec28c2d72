#!/usr/bin/env python3
"""Benchmarks the real fashionsortd: start-up to READY (over NOTIFY_SOCKET, as
systemd sees it), files/s for bursts, latency at light load and resident
memory after many files. Standard library only.

  python3 deploy/bench-daemon.py [--bin .build/release] [--photos DIR] [--files 10000] [--model PATH]
"""
import argparse, csv, glob, json, os, shutil, socket, subprocess, sys, tempfile, time

ap = argparse.ArgumentParser()
ap.add_argument("--bin", default=".build/release")
ap.add_argument("--photos", help="folder of real JPEG photos (e.g. ../shared/real-photos/validation)")
ap.add_argument("--files", type=int, default=10000, help="28x28 PNGs for the memory run")
ap.add_argument("--model", help="checkpoint for the daemon (default: the shipped model)")
args = ap.parse_args()

work = tempfile.mkdtemp(prefix="fsd-bench-")
samples = os.path.join(work, "png")


def tiny_pngs(n):
    """n distinct 28x28 grayscale PNGs, written with zlib (no third-party modules)."""
    import struct, zlib
    os.makedirs(samples, exist_ok=True)
    out = []
    for i in range(n):
        raw = b"".join(b"\x00" + bytes(((x * 7 + y * 13 + i) % 256 if 4 < x < 24 and 3 < y < 25 else 0) for x in range(28)) for y in range(28))
        def chunk(t, d): return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
        data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 28, 28, 8, 0, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
        p = os.path.join(samples, f"p{i}.png")
        open(p, "wb").write(data)
        out.append(p)
    return out


def rows(root):
    """Data rows in the results CSVs (CRLF line ends; header excluded)."""
    n = 0
    for f in glob.glob(os.path.join(root, "results", "*.csv")):
        n += max(0, open(f, "rb").read().count(b"\n") - 1)
    return n


def start(root):
    sock_path = os.path.join(work, f"notify-{os.path.basename(root)}")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(sock_path)
    env = dict(os.environ, NOTIFY_SOCKET=sock_path)
    t0 = time.perf_counter()
    model = ["--model", os.path.abspath(args.model)] if args.model else []
    p = subprocess.Popen([f"{args.bin}/fashionsortd", "--root", root, "--instance", "bench"] + model, env=env,
                         stderr=open(root + ".log", "w"))
    s.settimeout(30)
    while True:
        msg = s.recv(4096).decode()
        if "READY=1" in msg:
            return p, (time.perf_counter() - t0) * 1000


def stop(p):
    p.terminate()
    p.wait(timeout=30)


def burst(label, files, root):
    """Moves files into the inbox at once (rename from a staging folder on the same filesystem)."""
    stage = os.path.join(work, "stage-" + os.path.basename(root))
    os.makedirs(stage, exist_ok=True)
    staged = []
    for i, f in enumerate(files):
        d = os.path.join(stage, f"{i}-{os.path.basename(f)}")
        shutil.copyfile(f, d)
        staged.append(d)
    before = rows(root)
    t0 = time.perf_counter()
    for d in staged:
        os.rename(d, os.path.join(root, "inbox", os.path.basename(d)))
    while rows(root) < before + len(files):
        time.sleep(0.02)   # polling must not steal the daemon's CPU
    dt = time.perf_counter() - t0
    print(f"{label}: {len(files)} files in {dt:.2f} s = {len(files) / dt:.0f} files/s")
    return len(files) / dt


def rss_mb(p):
    for line in open(f"/proc/{p.pid}/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024


results = {}
pngs = tiny_pngs(max(2000, args.files))

# Start-up to READY, best of 5.
ready = []
for i in range(5):
    root = os.path.join(work, f"ready{i}")
    p, ms = start(root)
    ready.append(ms)
    stop(p)
results["ready_ms_best"] = min(ready)
results["ready_ms_median"] = sorted(ready)[2]
print(f"start-up to READY=1: best {min(ready):.0f} ms, median {sorted(ready)[2]:.0f} ms")

root = os.path.join(work, "burst")
p, _ = start(root)
results["png28_files_per_s"] = burst("burst of 28x28 PNGs", pngs[:2000], root)
if args.photos:
    photos = sorted(glob.glob(os.path.join(args.photos, "*", "*.jpg")))
    results["phone_jpeg_files_per_s"] = burst(f"burst of {len(photos) * 4} phone JPEGs", photos * 4, root)
# Light load: one file every 50 ms; latency from the daemon's status.json (arrival to durable CSV row).
stop(p)
root = os.path.join(work, "light")
p, _ = start(root)
src = (sorted(glob.glob(os.path.join(args.photos, "*", "*.jpg"))) if args.photos else pngs)[:200]
for i, f in enumerate(src):
    shutil.copyfile(f, os.path.join(root, "inbox", f"l{i}{os.path.splitext(f)[1]}"))
    time.sleep(0.05)
while rows(root) < len(src):
    time.sleep(0.01)
time.sleep(1.5)
status = json.load(open(os.path.join(root, "status.json")))
results["light_latency_ms"] = status["latency_ms"]
print(f"light load ({len(src)} files, one per 50 ms): latency p50 {status['latency_ms']['p50']} ms, p99 {status['latency_ms']['p99']} ms")
stop(p)

# Memory after many files.
root = os.path.join(work, "memory")
p, _ = start(root)
marks = []
for start_i in range(0, args.files, 2000):
    burst(f"memory run {start_i + 2000}", pngs[start_i:start_i + 2000], root)
    marks.append(round(rss_mb(p), 1))
results["rss_mb_after_each_2000"] = marks
print(f"resident memory after each 2000 files: {marks} MB")
stop(p)
print(json.dumps(results))
shutil.rmtree(work, ignore_errors=True)
