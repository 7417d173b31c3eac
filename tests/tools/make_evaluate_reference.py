#!/usr/bin/python3
"""Reference values for `aigov evaluate` on ../shared/data, from scikit-learn
and pandas (Debian's python3-sklearn, python3-pandas).

    /usr/bin/python3 tests/tools/make_evaluate_reference.py > tests/data/evaluate_taiwan_reference.json

Data: taiwan_credit_scored.csv (label default_next_month, score, threshold
0.5, protected SEX) against taiwan_credit_default.csv for drift of AGE and
MARRIAGE.  Fairness follows Fairlearn's semantics (difference = max - min,
ratio = min / max over groups), computed here with pandas.
"""
import json, os, sys
import numpy as np
import pandas as pd
from sklearn import metrics

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "..", "shared", "data")
cur = pd.read_csv(os.path.join(DATA, "taiwan_credit_scored.csv"))
ref = pd.read_csv(os.path.join(DATA, "taiwan_credit_default.csv"))
y, s = cur["default_next_month"].to_numpy(), cur["score"].to_numpy()
pred = (s >= 0.5).astype(int)
fpr, tpr, _ = metrics.roc_curve(y, s)
out = {
    "rows": int(len(cur)),
    "performance": {
        "auc": metrics.roc_auc_score(y, s),
        "ks": float(np.max(np.abs(tpr - fpr))),
        "average_precision": metrics.average_precision_score(y, s),
        "log_loss": metrics.log_loss(y, np.clip(s, 1e-15, 1 - 1e-15)),
        "brier": metrics.brier_score_loss(y, s),
        "accuracy": metrics.accuracy_score(y, pred),
        "precision": metrics.precision_score(y, pred),
        "recall": metrics.recall_score(y, pred),
        "f1": metrics.f1_score(y, pred),
    },
}
g = pd.DataFrame({"y": y, "p": pred, "g": cur["SEX"].astype(str)})
sel = g.groupby("g")["p"].mean()
tpr_g = g[g.y == 1].groupby("g")["p"].mean()
fpr_g = g[g.y == 0].groupby("g")["p"].mean()
out["fairness"] = {"SEX": {
    "groups": {k: {"n": int((g.g == k).sum()), "selection_rate": float(sel[k]),
                   "tpr": float(tpr_g[k]), "fpr": float(fpr_g[k])} for k in sel.index},
    "statistical_parity_difference": float(sel.max() - sel.min()),
    "disparate_impact_ratio": float(sel.min() / sel.max()),
    "equal_opportunity_difference": float(tpr_g.max() - tpr_g.min()),
    "equalized_odds_difference": float(max(tpr_g.max() - tpr_g.min(), fpr_g.max() - fpr_g.min())),
}}
# PSI on the reference deciles (numpy linear quantiles; bins (c_{i-1}, c_i],
# outer bins open), empty shares replaced by 0.0001; two-sample KS.
def psi_ks(r, c):
    cuts = np.quantile(r, np.arange(1, 10) / 10)
    br = np.bincount(np.searchsorted(cuts, r, side="left"), minlength=10) / len(r)
    bc = np.bincount(np.searchsorted(cuts, c, side="left"), minlength=10) / len(c)
    br, bc = np.where(br == 0, 1e-4, br), np.where(bc == 0, 1e-4, bc)
    allv = np.sort(np.concatenate([r, c]))
    ks = np.max(np.abs(np.searchsorted(np.sort(r), allv, side="right") / len(r)
                       - np.searchsorted(np.sort(c), allv, side="right") / len(c)))
    return float(np.sum((bc - br) * np.log(bc / br))), float(ks)
out["drift"] = {"features": {}}
for f in ["AGE", "LIMIT_BAL"]:
    p, k = psi_ks(ref[f].to_numpy(float), cur[f].to_numpy(float))
    out["drift"]["features"][f] = {"psi": p, "ks": k}
json.dump(out, sys.stdout, indent=1, sort_keys=True)
print()
