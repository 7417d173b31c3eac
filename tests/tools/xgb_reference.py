#!/usr/bin/python3
"""xgboost's own predictions and pred_contribs, the reference for aigov explain.

    /usr/bin/python3 tests/tools/xgb_reference.py taiwan [N]
        first N (default 300) rows of ../shared/data/taiwan_credit_scored.csv
        with ../shared/data/taiwan_credit_xgb.json
        -> tests/data/xgb_taiwan_reference.csv
    /usr/bin/python3 tests/tools/xgb_reference.py small
        trains two small models on generated data (seeded) and writes
        tests/data/xgb_small_{logistic,squared}.json, xgb_small_data.csv and
        xgb_small_{logistic,squared}_reference.csv

Debian 12's python3-xgboost 1.7.4 (`scripts/install-deps bench`), run with
/usr/bin/python3.  Reference rows: id, margin, probability (the margin again
for regression), then one contribution per feature and `bias`, written with
repr() of the float32 values xgboost returns.
"""
import os, sys
import numpy as np
import xgboost as xgb

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DATA = os.path.join(ROOT, 'tests', 'data')
SHARED = os.path.join(os.path.dirname(ROOT), 'shared', 'data')


def write_reference(path, booster, X, ids, names, command):
    d = xgb.DMatrix(X, feature_names=names, missing=np.nan)
    margin = booster.predict(d, output_margin=True)
    pred = booster.predict(d)
    contribs = booster.predict(d, pred_contribs=True)
    with open(path, 'w') as f:
        f.write('# xgboost %s: %s\n' % (xgb.__version__, command))
        f.write('id,margin,prediction,%s,bias\n' % ','.join(names))
        for i in range(len(ids)):
            row = [repr(float(margin[i])), repr(float(pred[i]))]
            row += [repr(float(c)) for c in contribs[i]]
            f.write('%s,%s\n' % (ids[i], ','.join(row)))


def taiwan(n):
    csv = os.path.join(SHARED, 'taiwan_credit_scored.csv')
    booster = xgb.Booster(model_file=os.path.join(SHARED, 'taiwan_credit_xgb.json'))
    booster.set_param({'nthread': 1})
    names = booster.feature_names
    with open(csv) as f:
        header = f.readline().strip().split(',')
    data = np.loadtxt(csv, delimiter=',', skiprows=1, max_rows=n)
    X = data[:, [header.index(c) for c in names]]
    ids = [str(int(v)) for v in data[:, header.index('ID')]]
    write_reference(os.path.join(DATA, 'xgb_taiwan_reference.csv'), booster, X, ids, names,
                    '/usr/bin/python3 tests/tools/xgb_reference.py taiwan %d' % n)


def small():
    rng = np.random.default_rng(20261204)
    n = 400
    names = ['income', 'debt_ratio', 'late_payments', 'age', 'tenure']
    X = np.column_stack([
        rng.lognormal(10, 0.5, n).round(0),
        rng.uniform(0, 1.2, n).round(3),
        rng.poisson(0.8, n).astype(float),
        rng.integers(20, 70, n).astype(float),
        rng.integers(0, 30, n).astype(float),
    ])
    X[rng.random(n) < 0.1, 1] = np.nan      # missing debt ratios
    X[rng.random(n) < 0.05, 4] = np.nan     # missing tenure
    z = -1 + 1.5 * np.nan_to_num(X[:, 1], nan=0.5) + 0.8 * X[:, 2] - 0.02 * (X[:, 3] - 40)
    y = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(float)
    yreg = z + rng.normal(0, 0.3, n)
    command = '/usr/bin/python3 tests/tools/xgb_reference.py small'
    with open(os.path.join(DATA, 'xgb_small_data.csv'), 'w') as f:
        f.write('applicant,%s,label\n' % ','.join(names))
        for i in range(n):
            vals = ['' if np.isnan(v) else repr(float(v)).removesuffix('.0') for v in X[i]]
            f.write('A%04d,%s,%d\n' % (i + 1, ','.join(vals), int(y[i])))
    ids = ['A%04d' % (i + 1) for i in range(n)]
    for objective, target, tag in (('binary:logistic', y, 'logistic'),
                                   ('reg:squarederror', yreg, 'squared')):
        d = xgb.DMatrix(X, label=target, feature_names=names, missing=np.nan)
        params = {'objective': objective, 'max_depth': 4, 'eta': 0.3, 'seed': 0,
                  'nthread': 1, 'base_score': 0.3 if tag == 'logistic' else 0.1}
        b = xgb.train(params, d, num_boost_round=25)
        b.save_model(os.path.join(DATA, 'xgb_small_%s.json' % tag))
        b = xgb.Booster(model_file=os.path.join(DATA, 'xgb_small_%s.json' % tag))
        write_reference(os.path.join(DATA, 'xgb_small_%s_reference.csv' % tag), b, X, ids,
                        names, command)


if __name__ == '__main__':
    what = sys.argv[1] if len(sys.argv) > 1 else 'small'
    if what == 'taiwan':
        taiwan(int(sys.argv[2]) if len(sys.argv) > 2 else 300)
    elif what == 'small':
        small()
    else:
        sys.exit(__doc__)
