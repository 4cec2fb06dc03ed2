"""Make a workspace with N products for benchmarks:
`python bench/generate.py N DIR [NAME] [--worked]`.

Products are spread over N/20 applications with realistic names, types, themes and
volumes (seeded, so the same N gives the same workspace). `--worked` (`work_on`) adds
what a worked-on workspace holds: a block status for most cells of the matrix, the
checklist steps they instantiate and an estimate proposed from the cost template
(at 20,000 products: ~47,000 statuses, ~170,000 checklist steps).
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from elo_tui.domain import codelists
from elo_tui.domain.records import Agency, Application, Product
from elo_tui.store import Workspace

WORDS = [
    "subsidie",
    "premie",
    "vergunning",
    "erkenning",
    "heffing",
    "attest",
    "advies",
    "steun",
    "ontheffing",
    "registratie",
    "melding",
    "toelating",
    "aangifte",
    "begeleiding",
]
TOPICS = [
    "energie",
    "water",
    "mest",
    "innovatie",
    "export",
    "opleiding",
    "vervoer",
    "bouw",
    "landbouw",
    "toerisme",
    "cultuur",
    "digitalisering",
    "klimaat",
    "afval",
    "zorg",
]


def generate(path: Path, n: int, seed: int = 1202) -> Workspace:
    rnd = random.Random(seed)
    ws = Workspace.open(path, create=True, user="bench")
    apps = [
        Application(name=f"Loket {i:03d} {rnd.choice(TOPICS)}", url=f"https://loket{i}.invalid")
        for i in range(max(n // 20, 1))
    ]
    products = []
    for i in range(n):
        app = rnd.choice(apps)
        products.append(
            Product(
                name=f"{rnd.choice(WORDS).capitalize()} {rnd.choice(TOPICS)} {i}",
                ipdc_number=str(100000 + i) if rnd.random() < 0.8 else "",
                ipdc_type=rnd.choice(codelists.PRODUCT_TYPES).uri,
                themes=[t.uri for t in rnd.sample(codelists.THEMES, rnd.randint(1, 2))],
                target_groups=[codelists.TARGET_GROUPS[1].uri],
                request_application_id=app.id,
                followup_application_id=app.id,
                yearly_volume=rnd.randint(0, 50000),
                on_elo=rnd.choice(list(codelists.ON_ELO)),
            )
        )
    with ws.transaction():
        # The demo's day rates: without them every estimate line is invalid, the totals
        # are EUR 0 and the costs area never runs its simulation (found 2026-12-02).
        ws.save(
            Agency(
                name=f"Bench-agentschap {n}",
                ovo_code="OVO099998",
                day_rate_internal=650.0,
                day_rate_supplier=900.0,
            )
        )
        ws.save_many(apps)
        ws.save_many(products)
    return ws


def work_on(path: Path, today: str = "2026-11-22") -> dict[str, int]:
    """Block statuses + checklists (bench_matrix.add_block_statuses) and the estimate
    lines the cost template proposes for them. Returns the record counts."""
    from bench_matrix import add_block_statuses

    from elo_tui.domain.records import EstimateLine
    from elo_tui.services import estimate

    counts = add_block_statuses(path)
    ws = Workspace.open(path, user="bench")
    try:
        with ws.transaction():
            estimate.propose_lines(ws, today=today)
        counts["estimate_lines"] = ws.count(EstimateLine)
    finally:
        ws.close()
    return counts


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--worked"]
    count = int(args[0])
    folder = Path(args[1])
    name = args[2] if len(args) > 2 else f"bench{count}"
    target = folder / f"{name}.sqlite"
    if target.exists():
        target.unlink()
    generate(target, count).close()
    if "--worked" in sys.argv:
        print(work_on(target))
    print(target)
