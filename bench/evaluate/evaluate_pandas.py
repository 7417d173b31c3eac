#!/usr/bin/python3
"""What `aigov evaluate` computes, written the usual way with pandas,
scikit-learn and scipy: the comparison for bench/evaluate.

    /usr/bin/python3 bench/evaluate/evaluate_pandas.py CURRENT REFERENCE \
        [--label label] [--score score] [--protected sex,age_band,region] \
        [--threshold 0.5] [--replicates 200] [--seed N]

Prints one JSON object with the same keys as `aigov evaluate --json`
(docs/evaluate.md) and, on standard error, the seconds of each phase.

- read: pandas.read_csv of both files (default C parser, empty = missing)
- performance: roc_auc_score, roc_curve (KS), average_precision_score,
  log_loss (scores clipped to [1e-15, 1 - 1e-15]), brier_score_loss,
  confusion_matrix at score >= threshold (accuracy, precision with
  zero_division=0, recall, F1, specificity), a calibration table of 10
  equal-width bins (calibration_curve's edges) and the ECE
- fairness, per protected attribute: groupby counts of (group, label,
  decision), per group n, base rate, selection rate, TPR, FPR, PPV, FNR and
  the average odds difference against the largest group; across groups
  Fairlearn's difference (max - min) and ratio (min / max); 95 % percentile
  intervals from a Poisson bootstrap drawn per cell: a row's Poisson(1)
  weights summed over a cell of c rows are Poisson(c), so drawing
  numpy's Poisson(c) for each (group, label, decision) cell and replicate
  has the same distribution as aigov's per-row weights at a cost
  independent of the row count (the numbers differ, the intervals agree
  to Monte Carlo error)
- drift, every column that is not the label, score or a protected
  attribute, plus the score: numeric columns (pandas dtype) PSI over the
  reference deciles (numpy.quantile, bins (c_{i-1}, c_i]), scipy ks_2samp
  (asymptotic) with the Kolmogorov limit p-value, Jensen-Shannon distance
  (base 2) over the same bins, scipy wasserstein_distance, missing rate
  change; other columns PSI over the categories and scipy chisquare against
  the reference proportions (absent categories taken as 0.0001)
"""
import argparse, json, math, sys, time
import numpy as np
import pandas as pd
from scipy import stats
from scipy.spatial import distance
from sklearn import metrics

EMPTY = 1e-4
T0 = time.perf_counter()
LAST = [T0]


def phase(name):
    now = time.perf_counter()
    print('%-12s %7.2f s' % (name, now - LAST[0]), file=sys.stderr)
    LAST[0] = now


def nan_none(x):
    x = float(x)
    return None if math.isnan(x) or math.isinf(x) else x


def performance(y, s, threshold):
    pred = (s >= threshold).astype(np.int8)
    fpr, tpr, _ = metrics.roc_curve(y, s)
    tn, fp, fn, tp = metrics.confusion_matrix(y, pred, labels=[0, 1]).ravel()
    auc = metrics.roc_auc_score(y, s)
    # sklearn.calibration.calibration_curve's bins: (e_k, e_k+1], 0 in bin 0
    bins = np.searchsorted(np.linspace(0, 1, 11)[1:-1], s, side='left')
    n = np.bincount(bins, minlength=10)
    ssum = np.bincount(bins, weights=s, minlength=10)
    ysum = np.bincount(bins, weights=y, minlength=10)
    with np.errstate(invalid='ignore', divide='ignore'):
        ms, orate = ssum / n, ysum / n
    ece = float(np.nansum(n * np.abs(ms - orate)) / len(s))
    return pred, {
        'auc': auc, 'gini': 2 * auc - 1,
        'ks': float(np.max(np.abs(tpr - fpr))),
        'average_precision': metrics.average_precision_score(y, s),
        'log_loss': metrics.log_loss(y, np.clip(s, 1e-15, 1 - 1e-15), labels=[0, 1]),
        'brier': metrics.brier_score_loss(y, s),
        'accuracy': metrics.accuracy_score(y, pred),
        'precision': metrics.precision_score(y, pred, zero_division=0),
        'recall': metrics.recall_score(y, pred, zero_division=0),
        'f1': metrics.f1_score(y, pred, zero_division=0),
        'specificity': tn / (tn + fp) if tn + fp else None,
        'ece': ece, 'threshold': threshold, 'positives': int(y.sum()),
        'calibration': [{'n': int(n[i]), 'mean_score': nan_none(ms[i]),
                         'observed_rate': nan_none(orate[i])} for i in range(10)],
    }


METRICS = ['statistical_parity_difference', 'disparate_impact_ratio',
           'equal_opportunity_difference', 'equalized_odds_difference',
           'predictive_parity_difference']


def rates(c):
    """c: [..., groups, 4] cell counts (tn, fp, fn, tp) -> dict of [..., groups]."""
    tn, fp, fn, tp = c[..., 0], c[..., 1], c[..., 2], c[..., 3]
    with np.errstate(invalid='ignore', divide='ignore'):
        n = tn + fp + fn + tp
        return {'n': n, 'base_rate': (fn + tp) / n, 'selection_rate': (fp + tp) / n,
                'tpr': tp / (tp + fn), 'fpr': fp / (fp + tn), 'ppv': tp / (tp + fp),
                'fnr': fn / (tp + fn)}


def across(r):
    """Fairlearn's difference / ratio over the groups where a rate is defined."""
    def diff(x):
        return np.nanmax(x, axis=-1) - np.nanmin(x, axis=-1)
    with np.errstate(invalid='ignore', divide='ignore'), \
            np.testing.suppress_warnings() as sup:
        sup.filter(RuntimeWarning)
        tprd, fprd = diff(r['tpr']), diff(r['fpr'])
        return {'statistical_parity_difference': diff(r['selection_rate']),
                'disparate_impact_ratio': np.nanmin(r['selection_rate'], axis=-1)
                / np.nanmax(r['selection_rate'], axis=-1),
                'equal_opportunity_difference': tprd,
                'equalized_odds_difference': np.fmax(tprd, fprd),
                'predictive_parity_difference': diff(r['ppv'])}


def fairness(df, attr, y, pred, replicates, rng):
    g = df[attr].astype(str).fillna('(missing)')
    cells = (pd.DataFrame({'g': g, 'cell': y * 2 + pred})
             .groupby(['g', 'cell']).size().unstack(fill_value=0)
             .reindex(columns=range(4), fill_value=0).sort_index())
    names = list(cells.index)
    c = cells.to_numpy(np.float64)
    r = rates(c)
    ref = int(np.argmax(r['n']))
    m = across(r)
    out = {'groups': {}, 'reference_group': names[ref]}
    for i, k in enumerate(names):
        aod = 0.5 * ((r['tpr'][i] - r['tpr'][ref]) + (r['fpr'][i] - r['fpr'][ref]))
        out['groups'][k] = {'n': int(r['n'][i]),
                            **{key: nan_none(r[key][i]) for key in
                               ('base_rate', 'selection_rate', 'tpr', 'fpr', 'ppv', 'fnr')},
                            'average_odds_difference': nan_none(aod),
                            'small': bool(r['n'][i] < 30)}
    boot = across(rates(rng.poisson(c, size=(replicates,) + c.shape).astype(np.float64))) \
        if replicates else None
    for k in METRICS:
        out[k] = nan_none(m[k])
        out[k + '_ci'] = ([nan_none(v) for v in np.nanpercentile(boot[k], [2.5, 97.5])]
                          if replicates else [None, None])
    out['four_fifths_flag'] = bool(m['disparate_impact_ratio'] < 0.8)
    return out


def shares(counts):
    p = counts / counts.sum()
    return np.where(p == 0, EMPTY, p)


def drift_numeric(ref, cur):
    r, c = ref.dropna().to_numpy(np.float64), cur.dropna().to_numpy(np.float64)
    cuts = np.quantile(r, np.arange(1, 10) / 10)
    br = np.bincount(np.searchsorted(cuts, r, side='left'), minlength=10)
    bc = np.bincount(np.searchsorted(cuts, c, side='left'), minlength=10)
    sr, sc = shares(br), shares(bc)
    ks = stats.ks_2samp(r, c, method='asymp').statistic
    en = len(r) * len(c) / (len(r) + len(c))
    return {'type': 'numeric', 'psi': float(np.sum((sc - sr) * np.log(sc / sr))),
            'ks': float(ks), 'ks_pvalue': float(stats.kstwobign.sf(math.sqrt(en) * ks)),
            'js': float(distance.jensenshannon(br, bc, base=2)),
            'wasserstein': float(stats.wasserstein_distance(r, c)),
            'missing_rate_change': float(cur.isna().mean() - ref.isna().mean())}


def drift_categorical(ref, cur):
    rv, cv = ref.value_counts(), cur.value_counts()
    cats = sorted(set(rv.index) | set(cv.index))
    rc = rv.reindex(cats, fill_value=0).to_numpy(np.float64)
    cc = cv.reindex(cats, fill_value=0).to_numpy(np.float64)
    sr, sc = shares(rc), shares(cc)
    chi = stats.chisquare(cc, cc.sum() * sr / sr.sum())
    return {'type': 'categorical', 'psi': float(np.sum((sc - sr) * np.log(sc / sr))),
            'chi2': float(chi.statistic), 'chi2_pvalue': float(chi.pvalue),
            'only_reference': int(((rc > 0) & (cc == 0)).sum()),
            'only_current': int(((rc == 0) & (cc > 0)).sum()),
            'missing_rate_change': float(cur.isna().mean() - ref.isna().mean())}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('current')
    ap.add_argument('reference')
    ap.add_argument('--label', default='label')
    ap.add_argument('--score', default='score')
    ap.add_argument('--protected', default='sex,age_band,region')
    ap.add_argument('--threshold', type=float, default=0.5)
    ap.add_argument('--replicates', type=int, default=200)
    ap.add_argument('--seed', type=int, default=20261125)
    a = ap.parse_args()
    prot = a.protected.split(',')

    cur = pd.read_csv(a.current)
    ref = pd.read_csv(a.reference)
    phase('read')
    y = (cur[a.label].astype(str) == '1').to_numpy(np.int8)
    s = cur[a.score].to_numpy(np.float64)
    if np.isnan(s).any() or (s < 0).any() or (s > 1).any():
        sys.exit('score missing or out of [0, 1]')
    pred, perf = performance(y, s, a.threshold)
    phase('performance')
    rng = np.random.default_rng(a.seed)
    fair = {p: fairness(cur, p, y, pred, a.replicates, rng) for p in prot}
    phase('fairness')
    skip = {a.label, a.score, *prot}
    feats = {}
    for f in ref.columns:
        if f in skip:
            continue
        if pd.api.types.is_numeric_dtype(ref[f]):
            feats[f] = drift_numeric(ref[f], cur[f])
        else:
            feats[f] = drift_categorical(ref[f].astype(str).where(ref[f].notna()),
                                         cur[f].astype(str).where(cur[f].notna()))
    out = {'rows': len(cur), 'performance': perf, 'fairness': fair,
           'drift': {'reference_rows': len(ref),
                     'score': drift_numeric(ref[a.score], cur[a.score])
                     if a.score in ref else None,
                     'features': feats}}
    phase('drift')
    json.dump(out, sys.stdout, default=float)
    print()
    print('%-12s %7.2f s' % ('total', time.perf_counter() - T0), file=sys.stderr)


if __name__ == '__main__':
    main()
