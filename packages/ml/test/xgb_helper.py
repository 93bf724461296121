"""Test helper: runs Debian's python3-xgboost 1.7.4 for the parity tests.
  predict <model-file> <X.f32> <rows> <cols> <out.f32>           probabilities / values, float32
  train <params-json> <X.f32> <y.f32> <rows> <cols> <num_round> <model-out.json>
Matrices are row-major float32 with NaN for missing."""
import json, sys
import numpy as np
import xgboost as xgb

cmd = sys.argv[1]
if cmd == "predict":
    model, xf, rows, cols, out = sys.argv[2:7]
    X = np.fromfile(xf, dtype=np.float32).reshape(int(rows), int(cols))
    b = xgb.Booster(model_file=model)
    b.predict(xgb.DMatrix(X, missing=np.nan, feature_names=b.feature_names)).astype(np.float32).tofile(out)
    print(json.dumps({"version": xgb.__version__, "trees": len(b.get_dump())}))
elif cmd == "train":
    params, xf, yf, rows, cols, rounds, out = sys.argv[2:9]
    X = np.fromfile(xf, dtype=np.float32).reshape(int(rows), int(cols))
    y = np.fromfile(yf, dtype=np.float32)
    b = xgb.train(json.loads(params), xgb.DMatrix(X, label=y, missing=np.nan), int(rounds))
    b.save_model(out)
    print(json.dumps({"version": xgb.__version__}))
else:
    sys.exit(f"unknown command {cmd}")
