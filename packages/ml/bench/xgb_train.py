"""Benchmark child: trains Debian's python3-xgboost (tree_method=hist) on the same matrices and prints one
JSON line (AUC on the test split, training seconds)."""
import json, sys, time
import numpy as np
import xgboost as xgb

d, params = sys.argv[1], json.loads(sys.argv[2])
meta = json.load(open(f"{d}/meta.json"))
X = lambda n, rows: np.fromfile(f"{d}/{n}", dtype=np.float32).reshape(rows, meta["cols"])
y = lambda n: np.fromfile(f"{d}/{n}", dtype=np.float32)
dtr = xgb.DMatrix(X("X_train.f32", meta["train"]), label=y("y_train.f32"), missing=np.nan)
dte = xgb.DMatrix(X("X_test.f32", meta["test"]), missing=np.nan)
num_round = int(params.pop("num_round"))
t0 = time.perf_counter()
b = xgb.train(params, dtr, num_round)
secs = time.perf_counter() - t0
p = b.predict(dte)
yt = y("y_test.f32")
# AUC (Mann-Whitney, ties averaged)
order = np.argsort(p, kind="mergesort")
ranks = np.empty(len(p)); sp = p[order]
i = 0
while i < len(p):
    j = i
    while j < len(p) and sp[j] == sp[i]: j += 1
    ranks[order[i:j]] = (i + 1 + j) / 2
    i = j
pos = yt > 0.5
auc = (ranks[pos].sum() - pos.sum() * (pos.sum() + 1) / 2) / (pos.sum() * (~pos).sum())
print(json.dumps({"auc": float(auc), "seconds": secs, "trees": num_round}))
