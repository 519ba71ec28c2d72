#!/usr/bin/env python3
"""Whether per-class review thresholds beat one: each is chosen to hold back 8% of the correct answers on
one half of the photos and outliers and scored on the other half, both ways, over 10 random halvings.
Per class means per predicted class (a class with fewer than 8 correct answers in the half keeps the one
threshold). Standard library only.

  python3 deploy/threshold-study.py MODEL PHOTOS OUTLIERS [--bin .build/release]
"""
import argparse, json, subprocess, random
ap = argparse.ArgumentParser()
ap.add_argument("model"); ap.add_argument("photos"); ap.add_argument("outliers")
ap.add_argument("--bin", default=".build/release")
args = ap.parse_args()
slug = {"T-shirt/top": "t-shirt-top", "Trouser": "trouser", "Pullover": "pullover", "Dress": "dress", "Coat": "coat",
        "Sandal": "sandal", "Shirt": "shirt", "Sneaker": "sneaker", "Bag": "bag", "Ankle boot": "ankle-boot"}
def run(d):
    command = [args.bin + "/fashionsort", "classify", d, "--model", args.model, "--json"]
    out = subprocess.run(command, capture_output=True, text=True).stdout
    return [json.loads(l) for l in out.splitlines()]
inc = [(r["file"].split("/")[-2], slug[r["class"]], r["confidence"]) for r in run(args.photos)]
out = [("out", slug[r["class"]], r["confidence"]) for r in run(args.outliers)]
def split(xs, seed):
    xs = sorted(xs); random.Random(seed).shuffle(xs); return xs[::2], xs[1::2]
def q(vals, share):  # threshold holding `share` of vals below it
    vals = sorted(vals); k = int(round(share * len(vals))); return vals[k] if k < len(vals) else 1.0
def choose(inc, per_class, share=0.08):
    correct = [(c, p) for f, c, p in inc if f == c]
    if not per_class: return {None: q([p for _, p in correct], share)}
    t = {}
    for c in set(x for x, _ in correct):
        vs = [p for k, p in correct if k == c]
        t[c] = q(vs, share) if len(vs) >= 8 else q([p for _, p in correct], share)
    t[None] = q([p for _, p in correct], share)
    return t
def score(t, inc, out):
    th = lambda c: t.get(c, t[None])
    correct = [(c, p) for f, c, p in inc if f == c]; wrong = [(c, p) for f, c, p in inc if f != c]
    held = lambda xs: sum(p < th(c) for c, p in xs) / max(1, len(xs))
    return held(correct), held(wrong), held([(c, p) for _, c, p in out])
for per in (False, True):
    res = []
    for seed in range(10):
        a_in, b_in = split(inc, seed); a_out, b_out = split(out, seed + 100)
        for (ci, co), (si, so) in (((a_in, a_out), (b_in, b_out)), ((b_in, b_out), (a_in, a_out))):
            res.append(score(choose(ci, per), si, so))
    m = [sum(r[i] for r in res) / len(res) for i in range(3)]
    print(f"{'per-class' if per else 'global   '}: correct held {100*m[0]:.1f}%  wrong held {100*m[1]:.1f}%  "
          f"outliers held {100*m[2]:.1f}%  (20 half splits)")
