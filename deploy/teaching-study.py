#!/usr/bin/env python3
"""Simulates a shop teaching the model its own photos, and measures what it gains on photos it never saw.

For each K, DRAWS times: K labelled photos are drawn at random from PHOTOS (class-slug folders) with a
matching share of OUTLIERS (photos of things in no class, put in the draw's other/ folder), the model is
fine-tuned on them with the same command the README gives (`fashionsort train --from START ... --extra-data`),
and both the starting model and the fine-tuned one are scored with `fashionsort evaluate` on the photos and
outliers that were not drawn, and on the Fashion-MNIST test set. Prints, per K, the mean and the worst change
in accuracy, mean per-folder recall and outliers held back, the Fashion-MNIST accuracy after teaching and the
time each fine-tune took; writes every run as JSON lines to OUT/runs.jsonl (a rerun skips runs done there).

  python3 deploy/teaching-study.py --photos ../shared/real-photos/validation \\
      --outliers ../shared/real-photos/outliers/validation --out /tmp/study [--k 50 100 200] [--draws 5] \\
      [--train-args "--epochs 6 ..."] [--fashionsort .build/release/fashionsort] [--start MODEL]

Only the standard library; the photos are copied into OUT, never changed.
"""
import argparse
import json
import os
import random
import shlex
import shutil
import statistics
import subprocess
import sys
import time

# The README's fine-tune, as the review page runs it; --train-args replaces it to try another.
README_TRAIN_ARGS = "--epochs 6 --learning-rate 3e-4 --shift 1 --flip --extra-balance 1 --outliers-per-image 0.5"
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")


def photos_by_class(folder):
    out = {}
    for slug in sorted(os.listdir(folder)):
        path = os.path.join(folder, slug)
        if os.path.isdir(path):
            out[slug] = sorted(os.path.join(path, f) for f in os.listdir(path) if f.lower().endswith(IMAGE_SUFFIXES))
    return out


def all_files(folder):
    found = []
    for base, _, files in os.walk(folder):
        found += [os.path.join(base, f) for f in files if f.lower().endswith(IMAGE_SUFFIXES)]
    return sorted(found)


def link_into(files, folder, slug_of):
    for f in files:
        target = os.path.join(folder, slug_of(f))
        os.makedirs(target, exist_ok=True)
        shutil.copyfile(f, os.path.join(target, os.path.basename(f)))  # the tools never follow a link


def run(cmd, log, refusable=False):
    """The command's standard output; None when `refusable` and it refused to write a worse model."""
    with open(log, "a") as out:
        out.write("$ " + " ".join(shlex.quote(c) for c in cmd) + "\n")
        out.flush()
        done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        out.write(done.stdout + done.stderr)
    if refusable and done.returncode != 0 and "not written:" in done.stderr:
        return None
    if done.returncode not in (0, 3):
        sys.exit(f"{cmd[0]} failed ({done.returncode}): see {log}")
    return done.stdout


def evaluate(tool, model, log, folders=None, outliers=None):
    cmd = [tool, "evaluate", "--model", model, "--json"]
    if folders:
        cmd += ["--folders", folders, "--outliers", outliers]
    return json.loads(run(cmd, log))


def scores(e):
    return {"accuracy": e["accuracy"], "recall": e["meanRecall"], "outliers_held": e["outliers"]["held"]}


def one_run(a, k, draw, by_class, outliers):
    rng = random.Random(f"{k}-{draw}")
    pool = [(slug, f) for slug, files in by_class.items() for f in files]
    drawn = set(rng.sample(range(len(pool)), k))
    n_out = round(k * len(outliers) / len(pool))
    drawn_out = set(rng.sample(range(len(outliers)), n_out))
    work = os.path.join(a.out, f"k{k}-d{draw}")
    if os.path.exists(work):
        subprocess.run(["rm", "-rf", work], check=True)
    labels, held, held_out = (os.path.join(work, n) for n in ("labels", "undrawn", "undrawn-outliers"))
    slug = {f: s for s, f in pool}
    link_into([pool[i][1] for i in sorted(drawn)], labels, lambda f: slug[f])
    link_into([outliers[i] for i in sorted(drawn_out)], labels, lambda f: "other")
    link_into([pool[i][1] for i in range(len(pool)) if i not in drawn], held, lambda f: slug[f])
    link_into([outliers[i] for i in range(len(outliers)) if i not in drawn_out], held_out,
              lambda f: os.path.basename(os.path.dirname(f)))
    log, model = os.path.join(work, "log.txt"), os.path.join(work, "shop.safetensors")
    before = scores(evaluate(a.fashionsort, a.start, log, held, held_out))
    started = time.monotonic()
    written = run([a.fashionsort, "train", "--from", a.start, *shlex.split(a.train_args), "--extra-data", labels,
                   "-o", model], log, refusable=True)
    seconds = time.monotonic() - started
    # A refused fine-tune leaves the shop with the model it had: that is what it then uses.
    used = model if written is not None else a.start
    after = scores(evaluate(a.fashionsort, used, log, held, held_out))
    mnist = evaluate(a.fashionsort, used, log)["accuracy"]
    return {"k": k, "draw": draw, "train_args": a.train_args, "photos": k, "outliers": n_out,
            "before": before, "after": after, "mnist_after": mnist, "seconds": round(seconds, 1),
            "refused": written is None}


def table(runs, start_mnist):
    print(f"starting model: Fashion-MNIST test accuracy {start_mnist:.4f}")
    print("| K | draws | accuracy change, mean (worst) | mean recall change, mean (worst) | "
          "outliers held change, mean (worst) | Fashion-MNIST after, mean (worst) | minutes, mean (max) | refused |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for k in sorted({r["k"] for r in runs}):
        rs = [r for r in runs if r["k"] == k]

        def change(m):
            d = [100 * (r["after"][m] - r["before"][m]) for r in rs]
            return f"{statistics.mean(d):+.1f} ({min(d):+.1f})"
        mn = [100 * r["mnist_after"] for r in rs]
        mins = [r["seconds"] / 60 for r in rs]
        print(f"| {k} | {len(rs)} | {change('accuracy')} | {change('recall')} | {change('outliers_held')} | "
              f"{statistics.mean(mn):.2f}% ({min(mn):.2f}%) | {statistics.mean(mins):.1f} ({max(mins):.1f}) | "
              f"{sum(1 for r in rs if r.get('refused'))} |")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--photos", required=True)
    p.add_argument("--outliers", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--k", type=int, nargs="+", default=[50, 100, 200])
    p.add_argument("--draws", type=int, default=5)
    p.add_argument("--train-args", default=README_TRAIN_ARGS)
    p.add_argument("--fashionsort", default="fashionsort")
    p.add_argument("--start", default="default", help="the model the shop starts from")
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    by_class, outliers = photos_by_class(a.photos), all_files(a.outliers)
    runs_file = os.path.join(a.out, "runs.jsonl")
    runs = [json.loads(line) for line in open(runs_file)] if os.path.exists(runs_file) else []
    runs = [r for r in runs if r["train_args"] == a.train_args]
    start_mnist = evaluate(a.fashionsort, a.start, os.path.join(a.out, "log.txt"))["accuracy"]
    for k in a.k:
        for draw in range(a.draws):
            if any(r["k"] == k and r["draw"] == draw for r in runs):
                continue
            r = one_run(a, k, draw, by_class, outliers)
            runs.append(r)
            with open(runs_file, "a") as f:
                f.write(json.dumps(r) + "\n")
            print(f"K={k} draw {draw}: accuracy {r['before']['accuracy']:.3f} -> {r['after']['accuracy']:.3f}, "
                  f"recall {r['before']['recall']:.3f} -> {r['after']['recall']:.3f}, outliers held "
                  f"{r['before']['outliers_held']:.3f} -> {r['after']['outliers_held']:.3f}, "
                  f"Fashion-MNIST {r['mnist_after']:.4f}, {r['seconds'] / 60:.1f} min"
                  + (" (refused: the starting model kept)" if r.get("refused") else ""), flush=True)
    table([r for r in runs if r["k"] in a.k], start_mnist)


if __name__ == "__main__":
    main()
