#!/usr/bin/python3
"""Generate N varied AI system descriptors from the examples/ ones.

    gen_systems.py EXAMPLES_DIR OUT_DIR [N] [SEED]      (N = 100, SEED = 1)

Each descriptor is one of the six examples (taken in turn) with its own id
and names, and, drawn with a fixed seed so every run registers the same
inventory: an owner unit out of eight, a lifecycle stage, a business line
and use case that fit the example's kind, the jurisdictions, whether it is
critical, and each of the six FSC risk factors.  The models' artifacts are
the examples' files (OUT_DIR/artifacts links to them), so their SHA-256
still match.  Needs PyYAML (Debian python3-yaml).
"""
import os, random, sys
import yaml

UNITS = [
    "Retail Credit Risk Management Dept. 個金風險管理部",
    "Compliance Dept. 法令遵循處",
    "Card Business Dept. 信用卡處",
    "Digital Banking Dept. 數位金融處",
    "Wealth Management Dept. 財富管理處",
    "Corporate Banking Dept. 法人金融處",
    "Claims Dept. 理賠部",
    "IT Operations Dept. 資訊處",
]
STAGES = ["planning", "data", "modelling", "deployment"]
# Use cases that fit each example's kind of system (so a chatbot stays a
# chatbot, an AML model stays in compliance).
USE_CASES = {
    "retail-credit-scoring": ["credit_scoring", "underwriting", "marketing"],
    "aml-transaction-monitoring": ["aml_kyc", "market_surveillance"],
    "card-fraud-detection": ["fraud"],
    "genai-customer-service": ["customer_service_chatbot", "investment_advice"],
    "insurance-claims-triage": ["claims", "underwriting"],
    "internal-doc-summarisation": ["internal_admin", "other"],
}
FACTORS = {
    "customer_facing": ["no", "internal_material", "yes"],
    "personal_data": ["none", "limited", "extensive", "sensitive"],
    "autonomy": ["human_in_the_loop", "human_on_the_loop", "fully_automated"],
    "complexity": ["low", "medium", "high"],
    "stakeholder_impact": ["low", "medium", "high"],
    "remedy": ["complete", "partial", "none"],
}


def main():
    ex, out = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 100
    rnd = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 1)
    base = []
    for name in sorted(os.listdir(ex)):
        if name.endswith(".yaml"):
            with open(os.path.join(ex, name), encoding="utf-8") as f:
                base.append(yaml.safe_load(f))
    os.makedirs(out, exist_ok=True)
    link = os.path.join(out, "artifacts")
    if not os.path.exists(link):
        os.symlink(os.path.abspath(os.path.join(ex, "artifacts")), link)
    for i in range(n):
        d = dict(base[i % len(base)])
        orig = d["id"]
        d["id"] = "%s-%03d" % (orig, i)
        d["name"] = {"en": "%s #%d" % (d["name"]["en"], i), "zh-TW": "%s 第%d號" % (d["name"]["zh-TW"], i)}
        d["owner_unit"] = rnd.choice(UNITS)
        d["stage"] = rnd.choice(STAGES)
        d["use_case"] = rnd.choice(USE_CASES.get(orig, [d["use_case"]]))
        if d["use_case"] in ("claims", "underwriting") and rnd.random() < 0.5:
            d["business_line"] = "insurance"
        elif d["use_case"] in ("investment_advice", "market_surveillance"):
            d["business_line"] = "securities"
        d["jurisdictions"] = ["TW", "EU"] if rnd.random() < 0.2 else ["TW"]
        # A critical system must describe its oversight (override, shutdown):
        # only the examples that do may be critical.
        d["critical"] = "oversight" in d and rnd.random() < 0.6
        # About half keep the example's risk profile, the others get two
        # factors redrawn: every tier shows up.
        rf = dict(d["risk_factors"])
        if rnd.random() < 0.5:
            for k in rnd.sample(sorted(FACTORS), 2):
                rf[k] = rnd.choice(FACTORS[k])
        d["risk_factors"] = rf
        with open(os.path.join(out, d["id"] + ".yaml"), "w", encoding="utf-8") as f:
            yaml.safe_dump(d, f, allow_unicode=True, sort_keys=False)
        print(d["id"])


if __name__ == "__main__":
    main()
