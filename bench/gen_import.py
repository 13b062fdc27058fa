"""Write a large import folder for the import benchmark: PEOPLE people, their memberships
and affiliations, a unit tree, positions, and APPOINTMENTS appointments that obey every rule
(one holder at a time per seat, consecutive terms, partial dates for old records)."""

import csv
import datetime as dt
import random
import sys
from pathlib import Path


def main(out: Path, people: int, appointments: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    n_inst = max(5, people // 24)

    def writer(name, header):
        f = (out / f"{name}.csv").open("w", newline="", encoding="utf-8")
        w = csv.writer(f)
        w.writerow(header)
        return f, w

    f, w = writer("institutions", ["id", "name", "country"])
    for i in range(n_inst):
        w.writerow([f"inst-{i}", f"Institute {i}", rng.choice(["US", "DE", "IT", "CH", "FR"])])
    f.close()
    f, w = writer("people", ["id", "name"])
    for i in range(people):
        w.writerow([f"p-{i}", f"Person {i}"])
    f.close()
    f, w = writer("memberships", ["person", "start"])
    for i in range(people):
        w.writerow([f"p-{i}", f"{rng.randint(1990, 2020)}"])
    f.close()
    f, w = writer("affiliations", ["person", "institution", "start"])
    for i in range(people):
        w.writerow([f"p-{i}", f"inst-{rng.randrange(n_inst)}", f"{rng.randint(1990, 2020)}"])
    f.close()
    per_position = 100
    n_pos = max(1, appointments // per_position)
    f, w = writer("units", ["id", "name", "parent", "kind", "level", "start"])
    w.writerow(["root", "Collaboration", "", "collaboration", "0", "1970"])
    n_units = max(1, n_pos // 2)
    for u in range(n_units):
        w.writerow([f"u-{u}", f"Group {u}", "root", "group", "3", "1970"])
    f.close()
    f, w = writer(
        "positions", ["id", "unit", "title", "level", "role", "seats", "term_months", "start"]
    )
    for p in range(n_pos):
        w.writerow([f"pos-{p}", f"u-{p // 2}", f"Convener {p}", "L3", "lead", "1", "6", "1970"])
    f.close()
    f, w = writer("appointments", ["id", "person", "position", "start", "end", "end_reason"])
    n = 0
    for p in range(n_pos):
        day = dt.date(1975, 1, 1)
        for k in range(per_position):
            end = day + dt.timedelta(days=120 + rng.randint(0, 60))
            last = k == per_position - 1
            w.writerow(
                [
                    f"a-{n}",
                    f"p-{rng.randrange(people)}",
                    f"pos-{p}",
                    day.isoformat(),
                    "" if last else end.isoformat(),
                    "" if last else "term_completed",
                ]
            )
            day = end
            n += 1
    f.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))
