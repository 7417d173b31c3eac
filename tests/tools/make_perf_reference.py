#!/usr/bin/python3
"""Reference classification metrics from scikit-learn, for the perf tests.

Run from the repository root with Debian's Python (python3-sklearn 1.2.1,
python3-numpy 1.24.2):

    /usr/bin/python3 tests/tools/make_perf_reference.py

It writes
  tests/data/perf_rows.csv       dataset,label,score,decision: the rows of
                                 every dataset (generated, seeded; decision
                                 is empty when the row carries none)
  tests/data/perf_reference.csv  dataset,metric,value: scikit-learn's
                                 metrics of each dataset, values by repr()
                                 (exact); "nan" where scikit-learn raises or
                                 returns NaN (undefined)
Metrics (all from scikit-learn except where said):
  threshold      the dataset's threshold (predict 1 when score >= it)
  auc            roc_auc_score
  gini           2 * auc - 1
  ks, ks_threshold
                 max |tpr - fpr| over roc_curve(drop_intermediate=False)
                 and thresholds[argmax] (the highest score reaching it;
                 nan when ks is 0)
  average_precision
                 average_precision_score
  log_loss       log_loss(eps=1e-15, labels=[0, 1])
  brier          brier_score_loss(pos_label=1)
  accuracy, precision, recall, f1, specificity
                 accuracy_score, precision_score, recall_score, f1_score
                 (zero_division=0), and recall_score(pos_label=0) for
                 specificity, on the given decisions or score >= threshold
  calib_K_count, calib_K_mean, calib_K_rate  (K = 0..9)
                 bin counts (numpy, with calibration_curve's bins), and
                 calibration_curve(n_bins=10, strategy="uniform")'s prob_pred
                 and prob_true for the non-empty bins
  ece            sum of count / n * |rate - mean| over non-empty bins (numpy)
"""
import csv, os, random, warnings
import numpy as np
from sklearn.calibration import calibration_curve
from sklearn.metrics import (accuracy_score, average_precision_score,
                             brier_score_loss, f1_score, log_loss,
                             precision_score, recall_score, roc_auc_score,
                             roc_curve)

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, '..', 'data')
BINS = 10


def logistic(x):
    return 1.0 / (1.0 + np.exp(-x))


def datasets():
    rnd = random.Random(20261201)
    out = []

    # main: 2000 rows of a noisy logistic model, scores rounded to two
    # decimals so that many are tied; a few exact 0, 1 and bin edges.
    rows = []
    for i in range(2000):
        x = rnd.gauss(0, 1.5)
        y = 1 if rnd.random() < logistic(x) else 0
        s = round(float(logistic(x + rnd.gauss(0, 1))), 2)
        rows.append((y, s, None))
    for i, s in enumerate([0.0, 1.0, 0.1, 0.3, 0.7, 0.5, 0.9, 0.0, 1.0, 0.6]):
        rows[i * 7] = (i % 2, s, None)
    out.append(('main', 0.5, rows))

    # unique: full-precision scores (no ties), threshold 0.3.
    rows = []
    for i in range(2000):
        x = rnd.gauss(-0.5, 1.2)
        y = 1 if rnd.random() < logistic(x) else 0
        rows.append((y, rnd.random() * 0.5 + 0.5 * float(logistic(x)), None))
    out.append(('unique', 0.3, rows))

    # decisions: each row carries the decision taken (here a cutoff of 0.6
    # overruled at random 10 % of the time); the threshold is not used.
    rows = []
    for i in range(500):
        x = rnd.gauss(0, 1)
        y = 1 if rnd.random() < logistic(2 * x) else 0
        s = round(float(logistic(x)), 3)
        d = 1 if s >= 0.6 else 0
        if rnd.random() < 0.1:
            d = 1 - d
        rows.append((y, s, d))
    out.append(('decisions', 0.5, rows))

    # constant: one score for every row: auc 0.5.
    out.append(('constant', 0.5,
                [(1 if rnd.random() < 0.3 else 0, 0.42, None) for _ in range(100)]))
    # one class only.
    out.append(('only_negatives', 0.5,
                [(0, round(rnd.random(), 2), None) for _ in range(50)]))
    out.append(('only_positives', 0.5,
                [(1, round(rnd.random(), 2), None) for _ in range(50)]))
    # extremes: confident mistakes (log loss clipping) at 0 and 1.
    out.append(('extremes', 0.5,
                [(0, 0.0, None), (1, 0.0, None), (0, 1.0, None), (1, 1.0, None),
                 (1, 1.0, None), (0, 1e-16, None), (1, 1 - 1e-16, None),
                 (1, 0.25, None)]))
    # nothing predicted positive: precision 0 by zero_division=0.
    out.append(('no_predicted_positive', 0.95,
                [(rnd.randrange(2), round(rnd.random() * 0.9, 2), None)
                 for _ in range(200)]))
    return out


def nan_on_error(f):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            v = float(f())
    except ValueError:
        return float('nan')
    return v


def metrics(threshold, rows):
    y = np.array([r[0] for r in rows], dtype=np.int64)
    s = np.array([r[1] for r in rows], dtype=np.float64)
    if all(r[2] is not None for r in rows):
        pred = np.array([r[2] for r in rows], dtype=np.int64)
    else:
        pred = (s >= threshold).astype(np.int64)
    m = {'threshold': threshold}
    m['auc'] = nan_on_error(lambda: roc_auc_score(y, s))
    m['gini'] = 2 * m['auc'] - 1
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        fpr, tpr, thr = roc_curve(y, s, drop_intermediate=False)
    d = np.abs(tpr - fpr)
    if np.isnan(d).any():
        m['ks'] = m['ks_threshold'] = float('nan')
    else:
        m['ks'] = float(d.max())
        m['ks_threshold'] = float(thr[int(np.argmax(d))]) if m['ks'] > 0 else float('nan')
    m['average_precision'] = nan_on_error(lambda: average_precision_score(y, s))
    m['log_loss'] = float(log_loss(y, s, eps=1e-15, labels=[0, 1]))
    m['brier'] = float(brier_score_loss(y, s, pos_label=1))
    m['accuracy'] = float(accuracy_score(y, pred))
    m['precision'] = float(precision_score(y, pred, zero_division=0))
    m['recall'] = float(recall_score(y, pred, zero_division=0))
    m['f1'] = float(f1_score(y, pred, zero_division=0))
    m['specificity'] = float(recall_score(y, pred, pos_label=0, zero_division=0))
    m['tp'] = int(((pred == 1) & (y == 1)).sum())
    m['fp'] = int(((pred == 1) & (y == 0)).sum())
    m['tn'] = int(((pred == 0) & (y == 0)).sum())
    m['fn'] = int(((pred == 0) & (y == 1)).sum())

    # Counts per bin, written independently of calibration_curve: bin 0 is
    # [0, edge 1], bin k is (edge k, edge k+1].
    edges = np.linspace(0.0, 1.0, BINS + 1)
    counts = [int(((s >= edges[0]) & (s <= edges[1])).sum())]
    counts += [int(((s > edges[k]) & (s <= edges[k + 1])).sum())
               for k in range(1, BINS)]
    assert sum(counts) == len(s)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        prob_true, prob_pred = calibration_curve(y, s, n_bins=BINS,
                                                 strategy='uniform')
    nonempty = [k for k in range(BINS) if counts[k]]
    assert len(nonempty) == len(prob_true)
    ece = 0.0
    for k in range(BINS):
        m['calib_%d_count' % k] = counts[k]
        if counts[k]:
            j = nonempty.index(k)
            m['calib_%d_mean' % k] = float(prob_pred[j])
            m['calib_%d_rate' % k] = float(prob_true[j])
            ece += counts[k] / len(s) * abs(prob_true[j] - prob_pred[j])
        else:
            m['calib_%d_mean' % k] = m['calib_%d_rate' % k] = float('nan')
    m['ece'] = float(ece)
    return m


def main():
    sets = datasets()
    with open(os.path.join(DATA, 'perf_rows.csv'), 'w', newline='') as f:
        w = csv.writer(f, lineterminator='\n')
        w.writerow(['dataset', 'label', 'score', 'decision'])
        for name, _, rows in sets:
            for y, s, d in rows:
                w.writerow([name, y, repr(float(s)), '' if d is None else d])
    with open(os.path.join(DATA, 'perf_reference.csv'), 'w', newline='') as f:
        w = csv.writer(f, lineterminator='\n')
        w.writerow(['dataset', 'metric', 'value'])
        for name, t, rows in sets:
            for k, v in metrics(t, rows).items():
                w.writerow([name, k, repr(v)])


if __name__ == '__main__':
    main()
