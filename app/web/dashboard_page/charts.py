"""The dashboard's figures as tables, each drawn as a bar chart beside it and exported as
it is shown: one table per chart, so the chart, the table and the XLSX cannot disagree.

A table's first `label_columns` columns name a row; the columns after them are the numbers
the chart draws (the ones listed in `drawn`, or all of them)."""
from __future__ import annotations

from dataclasses import dataclass, field

from app.tic import dashboard, registry

from ..auth.i18n import t


@dataclass(frozen=True)
class Chart:
    key: str
    section: str
    columns: list[str]
    rows: list[list]
    label_columns: int = 1
    drawn: tuple[int, ...] = field(default=())

    @property
    def title(self) -> str:
        return t(f"chart.{self.key}")

    def drawing(self) -> dict:
        """What the page's script draws: the row labels and one series per numeric column."""
        numeric = self.drawn or tuple(range(self.label_columns, len(self.columns)))
        return {
            "title": self.title,
            "categories": [" ".join(str(v) for v in row[:self.label_columns]) for row in self.rows],
            "series": [{"name": self.columns[i], "data": [row[i] for row in self.rows]} for i in numeric],
        }


def charts(summary: dict) -> list[Chart]:
    return _center_charts(summary["centers"]) + _work_charts(summary) + _evaluation_charts(summary)


def by_key(summary: dict, key: str) -> Chart | None:
    return next((chart for chart in charts(summary) if chart.key == key), None)


def _counts(key: str, label: str, counts: dict, codes=None, prefix: str | None = None) -> Chart:
    """A one-number table; with `codes`, every code gets a row (a zero shows a gap)."""
    names = list(codes) if codes is not None else list(counts)
    rows = [[t(f"{prefix}.{name}") if prefix else name, counts.get(name, 0)] for name in names]
    return Chart(key, "centers", [t(label), t("col.centers")], rows)


def _center_charts(centers: dict) -> list[Chart]:
    return [
        _counts("centers_status", "col.status", centers["byStatus"], centers["byStatus"], "status"),
        _counts("centers_category", "col.category", centers["byCategory"], registry.CATEGORIES, "category"),
        _counts("centers_field", "col.field", centers["byField"], registry.FIELDS, "field"),
        _counts("centers_region", "col.region", centers["byRegion"], registry.REGIONS, "region"),
        _counts("centers_supervisor", "col.supervisor", centers["bySupervisingOrg"]),
    ]


def _work_charts(summary: dict) -> list[Chart]:
    applications = summary["applications"]
    stages = [[s["name"], s["applications"]] for s in applications["byStage"]]
    if applications["withoutOpenStep"]:
        stages.append([t("stage.waiting"), applications["withoutOpenStep"]])
    ages = [[t(f"age.{band}"), n] for band, n in applications["byAge"].items()]
    experts = [[e["name"], e["organization"], e["open"], e["overdue"], e["completed"]] for e in summary["experts"]]
    overdue = [[row["organization"], row["tasks"]] for row in summary["overdueTasks"]]
    return [
        Chart("applications_stage", "work", [t("col.stage"), t("col.applications")], stages),
        Chart("applications_age", "work", [t("col.age"), t("col.applications")], ages),
        Chart("experts", "work", [t("col.expert"), t("col.expert_org"), t("col.reviews_open"),
                                  t("col.reviews_overdue"), t("col.reviews_done")], experts,
              label_columns=2, drawn=(2, 4)),
        Chart("overdue", "work", [t("col.org"), t("col.overdue_tasks")], overdue),
    ]


def _evaluation_charts(summary: dict) -> list[Chart]:
    cycles = summary["evaluations"]
    grades = [[t("cycle.name", n=c["cycle"]), *(c["grades"][g] for g in dashboard.GRADES), c["evaluated"]]
              for c in cycles]
    funding = [[t("cycle.name", n=c["cycle"]), c["fundingWan"]] for c in cycles]
    targets = [[p["plan"], f"{p['startYear']}–{p['endYear']}", p["minCenters"], p["maxCenters"], p["approved"],
                p["inSequence"], p["remainingToMinimum"], t(f"progress.{p['status']}")] for p in summary["targets"]]
    return [
        Chart("evaluation_grades", "evaluation",
              [t("col.cycle"), *(t(f"grade.{g}") for g in dashboard.GRADES), t("col.evaluated")], grades,
              drawn=(1, 2, 3)),
        Chart("evaluation_funding", "evaluation", [t("col.cycle"), t("col.funding")], funding),
        Chart("targets", "evaluation",
              [t("col.plan"), t("col.plan_years"), t("col.target_min"), t("col.target_max"),
               t("col.approved_in_plan"), t("col.in_sequence"), t("col.to_minimum"), t("col.progress")],
              targets, drawn=(5, 2, 3)),
    ]


SECTIONS = ("centers", "work", "evaluation")
