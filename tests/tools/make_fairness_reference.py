#!/usr/bin/python3
"""Reference group-fairness values from pandas, for tests/unit/test_fairness.c.

Run from the repository root with Debian's Python (pandas 1.5.3):

    /usr/bin/python3 tests/tools/make_fairness_reference.py

It writes
  tests/data/fairness_rows.csv     2,000 generated rows (seeded):
                                   row,label,prediction,sex,age_band,region
  tests/data/fairness_groups.csv   per attribute and group: n and the rates
                                   base_rate selection_rate tpr fpr ppv fnr and
                                   aod (average odds difference against the
                                   reference group named in fairness_metrics)
  tests/data/fairness_metrics.csv  per attribute: the across-group metrics and
                                   the reference group
Attributes are sex, age_band, region and "intersection" (the three values
joined by " | ").  The data has an age band with no positive label (TPR and
FNR undefined), an age band of 20 rows (under the 30-row flag), and a region
that is never predicted positive (PPV undefined).  The reference group is
the largest group, except for region, where it is "north" by name.

The rates are written the way pandas computes them from the rows, not from
confusion counts, so the C code is checked against a different formulation:
TPR is the mean prediction over rows with label 1, FPR the mean prediction
over rows with label 0, PPV the mean label over rows predicted 1, FNR the
mean of (1 - prediction) over rows with label 1; a group with no such rows
has NaN.  Across groups, Fairlearn's MetricFrame semantics: difference =
max - min and ratio = min / max over groups, with pandas skipping NaN;
equalized odds = max(TPR difference, FPR difference).  Values are written
with repr(), so they are exact; NaN is written "nan".
"""
import os, random
import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, '..', 'data')
N = 2000
ATTRS = ['sex', 'age_band', 'region']


def make_rows():
    rnd = random.Random(20240607)
    rows = []
    # (band, weight): '75+' never has a positive label; '18-21' is small.
    bands = ['22-34', '35-49', '50-64', '65-74', '75+']
    regions = ['north', 'south', 'east', 'isla\u0301nd']  # UTF-8, combining accent
    for i in range(N):
        if i % 100 == 7:
            band = '18-21'  # 20 rows
        else:
            band = rnd.choices(bands, weights=[30, 30, 20, 12, 5])[0]
        sex = rnd.choice(['F', 'M'])
        region = rnd.choices(regions, weights=[40, 30, 20, 10])[0]
        p_pos = {'22-34': .35, '35-49': .45, '50-64': .5, '65-74': .3,
                 '75+': 0.0, '18-21': .4}[band]
        label = 1 if rnd.random() < p_pos else 0
        # A biased model: better at finding positives for M, stingier with
        # older bands; the island region is never approved.
        p_pred = (.75 if label else .15) + (.08 if sex == 'M' else -.05)
        if band in ('65-74', '75+'):
            p_pred -= .1
        if region == regions[3]:
            p_pred = 0
        pred = 1 if rnd.random() < p_pred else 0
        rows.append((i, label, pred, sex, band, region))
    return pd.DataFrame(rows, columns=['row', 'label', 'prediction'] + ATTRS)


def group_rates(df, key):
    g = df.groupby(key, sort=True)
    out = pd.DataFrame({'n': g.size()})
    out['base_rate'] = g['label'].mean()
    out['selection_rate'] = g['prediction'].mean()
    pos, neg, pp = df[df.label == 1], df[df.label == 0], df[df.prediction == 1]
    out['tpr'] = pos.groupby(key)['prediction'].mean().reindex(out.index)
    out['fpr'] = neg.groupby(key)['prediction'].mean().reindex(out.index)
    out['ppv'] = pp.groupby(key)['label'].mean().reindex(out.index)
    out['fnr'] = (1 - pos['prediction']).groupby(pos[key]).mean().reindex(out.index)
    return out


def main():
    df = make_rows()
    df['intersection'] = df['sex'] + ' | ' + df['age_band'] + ' | ' + df['region']
    df.to_csv(os.path.join(DATA, 'fairness_rows.csv'),
              columns=['row', 'label', 'prediction'] + ATTRS, index=False,
              lineterminator='\n', encoding='utf-8')
    groups, metrics = [], []
    for attr in ATTRS + ['intersection']:
        r = group_rates(df, attr)
        if attr == 'region':
            ref = 'north'
        else:
            ref = r['n'].idxmax()  # first of the largest, in sorted order
        r['aod'] = ((r['fpr'] - r.loc[ref, 'fpr']) + (r['tpr'] - r.loc[ref, 'tpr'])) / 2
        for name, row in r.iterrows():
            groups.append([attr, name, int(row['n'])] +
                          [repr(float(row[c])) for c in
                           ['base_rate', 'selection_rate', 'tpr', 'fpr', 'ppv', 'fnr', 'aod']])
        sel, tpr, fpr, ppv = r['selection_rate'], r['tpr'], r['fpr'], r['ppv']
        tpr_d, fpr_d = tpr.max() - tpr.min(), fpr.max() - fpr.min()
        m = {
            'statistical_parity_difference': sel.max() - sel.min(),
            'disparate_impact_ratio': sel.min() / sel.max(),
            'equal_opportunity_difference': tpr_d,
            'equalized_odds_difference': pd.Series([tpr_d, fpr_d]).max(),
            'predictive_parity_difference': ppv.max() - ppv.min(),
        }
        for k, v in m.items():
            metrics.append([attr, k, repr(float(v)), ref])
    pd.DataFrame(groups, columns=['attribute', 'group', 'n', 'base_rate',
                                  'selection_rate', 'tpr', 'fpr', 'ppv', 'fnr',
                                  'aod']).to_csv(
        os.path.join(DATA, 'fairness_groups.csv'), index=False,
        lineterminator='\n', encoding='utf-8')
    pd.DataFrame(metrics, columns=['attribute', 'metric', 'value',
                                   'reference']).to_csv(
        os.path.join(DATA, 'fairness_metrics.csv'), index=False,
        lineterminator='\n', encoding='utf-8')


if __name__ == '__main__':
    main()
