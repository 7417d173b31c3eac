#!/usr/bin/python3
"""Generate mixed zh-TW/English chat text for the guard benchmark.

    bench/guard/gen_text.py BYTES [SEED] > FILE

Sentences of customer-service chats, internal e-mail and web prose in
Traditional Chinese and English (about 60/40 by sentence), amounts, dates
and order numbers everywhere, and about 7 % of sentences carrying personal
data (national IDs with valid checksums, phones, cards, e-mail addresses,
UBNs with context, addresses) -- the mix GUARD-NOTES 4.2 measured on.
Deterministic for a given seed.
"""
import random, sys

LETTERS = "ABCDEFGHJKLMNPQRSTUVXYWZIO"


def national_id(rng):
    code = 10 + rng.randrange(26)
    letter = LETTERS[code - 10]
    d = [rng.choice([1, 2])] + [rng.randrange(10) for _ in range(7)]
    s = code // 10 + (code % 10) * 9 + sum(v * w for v, w in zip(d, [8, 7, 6, 5, 4, 3, 2, 1]))
    return letter + "".join(map(str, d)) + str((10 - s % 10) % 10)


def luhn_card(rng, prefix="4", n=16):
    d = [int(c) for c in prefix] + [rng.randrange(10) for _ in range(n - len(prefix) - 1)]
    for check in range(10):
        x = d + [check]
        s = sum((v * 2 - 9 if v * 2 > 9 else v * 2) if i % 2 else v for i, v in enumerate(reversed(x)))
        if s % 10 == 0:
            return "".join(map(str, x))


ZH = [
    "您好，請問今天有什麼可以為您服務的嗎？", "我上個月的信用卡帳單金額是新臺幣 12,345 元，想確認一下明細。",
    "訂單編號 2024120300123 的商品什麼時候會到？", "請問房貸利率目前是多少？我想了解固定與機動的差別。",
    "我們已收到您的申請，審核約需三到五個工作天。", "這個月的轉帳手續費為什麼比上個月高？",
    "會議改到週四下午三點，地點在十二樓大會議室。", "根據最新公告，外幣定存利率調整為 4.25%。",
    "請於 2025 年 1 月 15 日前完成繳費，以免產生滯納金。", "謝謝您的耐心等候，稍後將有專人與您聯繫。",
    "本行網路銀行將於凌晨兩點至四點進行系統維護。", "您的基金定期定額扣款已於 12 月 5 日完成。",
]
EN = [
    "Hello, how can I help you with your account today?", "The quarterly report is attached; revenue grew 8.4% year over year.",
    "Your order #A-20241203-5521 has shipped and should arrive within 3 business days.",
    "Please review the attached policy before Friday's compliance meeting.",
    "Interest on savings accounts is credited on the last business day of each month.",
    "We noticed a login from a new device on 2024-12-01 at 10:32.",
    "The branch on Zhongxiao East Road will close early on New Year's Eve.",
    "Thanks for your patience; our team will get back to you shortly.",
]


def pii_sentence(rng):
    k = rng.randrange(6)
    if k == 0:
        return "我的身分證字號是 %s，請幫我查詢。" % national_id(rng)
    if k == 1:
        return "My mobile is 09%02d-%03d-%03d, please call after 6pm." % (rng.randrange(100), rng.randrange(1000), rng.randrange(1000))
    if k == 2:
        c = luhn_card(rng)
        return "卡號 %s %s %s %s 被盜刷了。" % (c[:4], c[4:8], c[8:12], c[12:])
    if k == 3:
        return "Send the statement to user%d@example.com.tw please." % rng.randrange(10000)
    if k == 4:
        return "發票抬頭請開公司，統一編號 22099131。"
    return "寄到 106台北市大安區忠孝東路四段%d號%d樓。" % (rng.randrange(1, 300), rng.randrange(1, 20))


def main():
    size = int(sys.argv[1])
    rng = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
    out, n = [], 0
    while n < size:
        r = rng.random()
        s = pii_sentence(rng) if r < 0.07 else rng.choice(ZH) if r < 0.6 else rng.choice(EN)
        s += "\n" if rng.random() < 0.2 else " "
        b = s.encode()
        out.append(b)
        n += len(b)
    sys.stdout.buffer.write(b"".join(out)[:size].decode("utf-8", "ignore").encode())


if __name__ == "__main__":
    main()
