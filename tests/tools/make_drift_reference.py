#!/usr/bin/python3
"""Reference drift statistics from numpy, pandas and scipy, for test_drift.

Run from the repository root with Debian's Python (numpy 1.24.2,
pandas 1.5.3, scipy 1.10.1):

    /usr/bin/python3 tests/tools/make_drift_reference.py

It writes (all seeded, reproducible)
  tests/data/drift_numeric.csv        dataset,side,value: two generated
                                      numeric datasets, "normal" (N(0,1)
                                      against N(0.3,1.2)) and "ties" (Poisson
                                      counts, so reference deciles repeat);
                                      an empty value is missing
  tests/data/drift_categorical.csv    dataset,side,value: "categorical",
                                      categories A-E against A-D and F (E
                                      only in the reference, F only in the
                                      current; empty = missing), and
                                      "categorical_close", a small shift
                                      over w-z (a p-value far from 0)
  tests/data/drift_reference.csv      dataset,statistic,value
  tests/data/drift_distributions.csv  function,x,df,value: the Kolmogorov and
                                      chi-square survival functions
Values are written with repr(), so they are exact doubles.

How each reference is computed (independently of the C code):
  cuts        numpy.quantile(ref, k/10.0), k = 1..9 (default "linear")
  bins        (c_{i-1}, c_i] with c_0 = -inf, c_10 = +inf, by
              numpy.searchsorted(cuts, x, side='left'); where the cuts are
              distinct this is checked against pandas.cut(right=True)
  psi         sum (c - r) ln(c / r), shares of 0 replaced by 0.0001
  ks          max |i/n1 - j/n2| as an exact Fraction, rounded once (checked
              equal to scipy.stats.ks_2samp(ref, cur, method='exact'))
  ks_pvalue   scipy.stats.kstwobign.sf(sqrt(n1 n2 / (n1 + n2)) * ks): the
              limiting Kolmogorov distribution.  ks_2samp(method='asymp') in
              scipy 1.10 evaluates kstwo.sf(ks, round(en)) instead (finite-n);
              that value is written too, as ks_pvalue_scipy_asymp, for
              comparison only.
  js_distance scipy.spatial.distance.jensenshannon(bin_ref, bin_cur, base=2)
  wasserstein scipy.stats.wasserstein_distance(ref, cur)
  chi2        scipy.stats.chisquare(cur_counts, n_cur * p / p.sum()) with p
              the reference proportions, 0 replaced by 0.0001
"""
import csv, math, os
from fractions import Fraction
import numpy as np
import pandas as pd
from scipy import special, stats
from scipy.spatial import distance

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, '..', 'data')
EMPTY = 0.0001


def with_missing(rng, x, rate):
    x = x.astype(float)
    x[rng.random(len(x)) < rate] = np.nan
    return x


def numeric_reference(ref, cur):
    r = ref[~np.isnan(ref)]
    c = cur[~np.isnan(cur)]
    out = {'n_ref': len(r), 'n_cur': len(c),
           'missing_ref': int(np.isnan(ref).sum()),
           'missing_cur': int(np.isnan(cur).sum())}
    cuts = np.quantile(r, [k / 10.0 for k in range(1, 10)])
    br = np.bincount(np.searchsorted(cuts, r, side='left'), minlength=10)
    bc = np.bincount(np.searchsorted(cuts, c, side='left'), minlength=10)
    if len(np.unique(cuts)) == 9:
        edges = np.concatenate([[-np.inf], cuts, [np.inf]])
        for x, b in ((r, br), (c, bc)):
            pc = pd.Series(pd.cut(x, edges, right=True)).value_counts(sort=False)
            assert list(pc.values) == list(b), (list(pc.values), list(b))
    sr = br / len(r)
    sc = bc / len(c)
    sr2 = np.where(sr == 0, EMPTY, sr)
    sc2 = np.where(sc == 0, EMPTY, sc)
    # D as the exact rational max |i/n1 - j/n2|, rounded once; scipy's
    # exact mode reports the same double (h / lcm(n1, n2)).
    rs, cs = np.sort(r), np.sort(c)
    allv = np.concatenate([rs, cs])
    i = np.searchsorted(rs, allv, side='right')
    j = np.searchsorted(cs, allv, side='right')
    n1, n2 = len(r), len(c)
    dfrac = max(abs(Fraction(int(a), n1) - Fraction(int(b), n2))
                for a, b in zip(i, j))
    ks_stat = float(dfrac)
    assert ks_stat == stats.ks_2samp(r, c, method='exact').statistic
    en = len(r) * len(c) / (len(r) + len(c))
    for i, v in enumerate(cuts):
        out['cut%d' % (i + 1)] = float(v)
    for i in range(10):
        out['bin_ref%d' % i] = int(br[i])
        out['bin_cur%d' % i] = int(bc[i])
    out['psi'] = float(np.sum((sc2 - sr2) * np.log(sc2 / sr2)))
    out['ks'] = ks_stat
    out['ks_pvalue'] = float(stats.kstwobign.sf(math.sqrt(en) * ks_stat))
    out['ks_pvalue_scipy_asymp'] = float(
        stats.ks_2samp(r, c, method='asymp').pvalue)
    out['js_distance'] = float(distance.jensenshannon(br, bc, base=2))
    out['wasserstein'] = float(stats.wasserstein_distance(r, c))
    return out


def categorical_reference(ref, cur):
    r = pd.Series(ref).dropna().value_counts()
    c = pd.Series(cur).dropna().value_counts()
    cats = sorted(set(r.index) | set(c.index))
    rc = np.array([r.get(k, 0) for k in cats], dtype=float)
    cc = np.array([c.get(k, 0) for k in cats], dtype=float)
    sr = rc / rc.sum()
    sc = cc / cc.sum()
    sr2 = np.where(sr == 0, EMPTY, sr)
    sc2 = np.where(sc == 0, EMPTY, sc)
    p = sr2
    chi = stats.chisquare(cc, cc.sum() * p / p.sum())
    return {'n_ref': int(rc.sum()), 'n_cur': int(cc.sum()),
            'missing_ref': int(pd.Series(ref).isna().sum()),
            'missing_cur': int(pd.Series(cur).isna().sum()),
            'categories': len(cats),
            'only_ref': int(((rc > 0) & (cc == 0)).sum()),
            'only_cur': int(((rc == 0) & (cc > 0)).sum()),
            'psi': float(np.sum((sc2 - sr2) * np.log(sc2 / sr2))),
            'chi2': float(chi.statistic),
            'chi2_df': len(cats) - 1,
            'chi2_pvalue': float(chi.pvalue)}


def main():
    rng = np.random.default_rng(20260214)
    numeric = {
        'normal': (with_missing(rng, rng.normal(0, 1, 5000), 0.03),
                   with_missing(rng, rng.normal(0.3, 1.2, 4000), 0.06)),
        'ties': (with_missing(rng, rng.poisson(3.0, 3000), 0.01),
                 with_missing(rng, rng.poisson(3.5, 2500), 0.0)),
    }
    ref_cat = list(rng.choice(['A', 'B', 'C', 'D', 'E'], 4000,
                              p=[0.4, 0.3, 0.15, 0.1, 0.05]))
    cur_cat = list(rng.choice(['A', 'B', 'C', 'D', 'F'], 3000,
                              p=[0.35, 0.3, 0.2, 0.1, 0.05]))
    for lst, rate in ((ref_cat, 0.02), (cur_cat, 0.05)):
        for i in range(len(lst)):
            if rng.random() < rate:
                lst[i] = None
    categorical = {
        'categorical': (ref_cat, cur_cat),
        # A small shift over the same categories: a p-value far from 0.
        'categorical_close': (
            list(rng.choice(['w', 'x', 'y', 'z'], 2000,
                            p=[0.4, 0.3, 0.2, 0.1])),
            list(rng.choice(['w', 'x', 'y', 'z'], 1500,
                            p=[0.38, 0.31, 0.2, 0.11]))),
    }

    with open(os.path.join(DATA, 'drift_numeric.csv'), 'w', newline='') as f:
        w = csv.writer(f, lineterminator='\n')
        w.writerow(['dataset', 'side', 'value'])
        for name, (ref, cur) in numeric.items():
            for side, xs in (('ref', ref), ('cur', cur)):
                for x in xs:
                    w.writerow([name, side, '' if np.isnan(x) else repr(float(x))])
    with open(os.path.join(DATA, 'drift_categorical.csv'), 'w', newline='') as f:
        w = csv.writer(f, lineterminator='\n')
        w.writerow(['dataset', 'side', 'value'])
        for name, (ref, cur) in categorical.items():
            for side, xs in (('ref', ref), ('cur', cur)):
                for x in xs:
                    w.writerow([name, side, '' if x is None else x])
    with open(os.path.join(DATA, 'drift_reference.csv'), 'w', newline='') as f:
        w = csv.writer(f, lineterminator='\n')
        w.writerow(['dataset', 'statistic', 'value'])
        for name, (ref, cur) in numeric.items():
            for k, v in numeric_reference(ref, cur).items():
                w.writerow([name, k, repr(v)])
        for name, (ref, cur) in categorical.items():
            for k, v in categorical_reference(ref, cur).items():
                w.writerow([name, k, repr(v)])
    with open(os.path.join(DATA, 'drift_distributions.csv'), 'w', newline='') as f:
        w = csv.writer(f, lineterminator='\n')
        w.writerow(['function', 'x', 'df', 'value'])
        for x in (0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.8, 0.82, 0.83, 1.0,
                  1.2238, 1.3581, 1.6276, 2.0, 3.0, 5.0, 8.0):
            w.writerow(['kolmogorov', repr(x), '0',
                        repr(float(special.kolmogorov(x)))])
            assert special.kolmogorov(x) == stats.kstwobign.sf(x)
        for x, df in ((0.001, 2), (0.5, 1), (3.841458820694124, 1),
                      (10.0, 5), (4.0, 4), (5.0, 4), (100.0, 3),
                      (1000.0, 10), (50.0, 60), (1.0, 200), (190.0, 200),
                      (300.0, 200), (2000.0, 2000), (2200.0, 2000),
                      (700.0, 4)):
            w.writerow(['chi2', repr(x), repr(float(df)),
                        repr(float(stats.chi2.sf(x, df)))])


if __name__ == '__main__':
    main()
