#!/usr/bin/python3
"""Reference statistics from pandas, for the profile tests.

Run from the repository root with Debian's Python (pandas 1.5.3):

    /usr/bin/python3 tests/tools/make_pandas_reference.py

It writes
  tests/data/pandas_input.csv       a generated file (seeded; UTF-8 BOM, CRLF
                                    line ends, quoted text with commas, doubled
                                    quotes and newlines, missing values)
  tests/data/pandas_reference.csv   pandas' statistics of it
  tests/data/taiwan_credit_reference.csv
                                    pandas' statistics of
                                    ../shared/data/taiwan_credit_default.csv
                                    (only if that file is present; it is not
                                    copied into the repository)
Each reference is column,statistic,value with values written by repr(), so
they are exact.  Statistics: count, missing, nunique, and for numeric columns
min, max, mean, std (ddof=1) and the quantiles .01 .05 .25 .5 .75 .95 .99
(numpy's default linear interpolation), i.e. what describe() reports.
"""
import csv, os, random
import pandas as pd

NA = ['', 'NA', 'N/A', 'NaN', 'nan', 'null', 'NULL', '#N/A']
QS = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99]
HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, '..', 'data')


def make_input(path):
    rnd = random.Random(20261124)
    words = ['loan', 'card', 'mortgage', 'salary', 'travel', '房貸', '信用卡']
    with open(path, 'w', encoding='utf-8', newline='') as f:
        f.write('\ufeff')
        w = csv.writer(f, lineterminator='\r\n')
        w.writerow(['id', 'amount', 'rate', 'grade', 'note', 'score'])
        for i in range(3000):
            amount = '' if rnd.random() < 0.05 else str(rnd.randint(-500, 250000))
            rate = rnd.choice(['NA', 'null']) if rnd.random() < 0.1 else repr(round(rnd.gauss(0.03, 0.01), 6))
            grade = rnd.choice('ABCDE') if rnd.random() < 0.97 else ''
            note = ' '.join(rnd.choice(words) for _ in range(rnd.randint(1, 3)))
            r = rnd.random()
            if r < 0.1:
                note += ', "urgent"'
            elif r < 0.15:
                note += '\nsecond line'
            score = repr(rnd.random() * 1000)
            w.writerow([i + 1, amount, rate, grade, note, score])


def reference(src, dst):
    df = pd.read_csv(src, keep_default_na=False, na_values=NA, encoding='utf-8-sig')
    with open(dst, 'w', encoding='utf-8', newline='') as f:
        w = csv.writer(f, lineterminator='\n')
        w.writerow(['column', 'statistic', 'value'])
        for name in df.columns:
            s = df[name]
            w.writerow([name, 'count', int(s.count())])
            w.writerow([name, 'missing', int(s.isna().sum())])
            w.writerow([name, 'nunique', int(s.nunique())])
            if pd.api.types.is_numeric_dtype(s):
                for stat, v in [('min', s.min()), ('max', s.max()),
                                ('mean', s.mean()), ('std', s.std())]:
                    w.writerow([name, stat, repr(float(v))])
                for q in QS:
                    w.writerow([name, 'q%s' % q, repr(float(s.quantile(q)))])


def main():
    inp = os.path.join(DATA, 'pandas_input.csv')
    make_input(inp)
    reference(inp, os.path.join(DATA, 'pandas_reference.csv'))
    taiwan = os.path.join(HERE, '..', '..', '..', 'shared', 'data', 'taiwan_credit_default.csv')
    if os.path.exists(taiwan):
        reference(taiwan, os.path.join(DATA, 'taiwan_credit_reference.csv'))
    else:
        print('note: %s not found; taiwan reference not regenerated' % taiwan)


if __name__ == '__main__':
    main()
