"""One run of the catalogue on own data, from the directory to the report.

Before the run: index the directory, group it into sets, checksum every file read, and
stage the sets in the run's scratch area (the checks read the staged copies, never the
user's files). After the run: make sure the user's files are unchanged, judge every
tool's reports against the vendor reference and the consensus, remove what identifies
the patient, and write ``own-data.json`` and ``own-data.md`` into the output directory,
each whole or not at all. Before anything is written the rendered text is searched for
every identifying value once more; a hit stops the run instead of writing it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from harness import __version__
from harness.fixture_guard import file_digests
from harness.manifest import Manifest
from harness.owndata.deidentify import Deidentifier, free_text
from harness.owndata.grouping import Grouping, group
from harness.owndata.index import DataIndex, index_directory
from harness.owndata.judging import judge_set
from harness.owndata.model import IndexSummary, OwnDataResults, OwnRun, OwnTool
from harness.owndata.report import render_markdown
from harness.owndata.stage import stage
from harness.owndata.tolerances import reference_truth
from harness.owndata.vendor import roi_names
from harness.results import Results
from harness.store import atomic_write_text

JSON_NAME, MARKDOWN_NAME = "own-data.json", "own-data.md"


class OwnDataError(Exception):
    """Own data that cannot be run or reported (one line, naming the path)."""


def check_output_dir(output: Path, data_dir: Path, forbidden: list[Path]) -> Path:
    """The output directory, refused where writing would touch the data or a committed
    report."""
    output, data_dir = output.resolve(), data_dir.resolve()
    if output == data_dir or data_dir in output.parents:
        raise OwnDataError(f"{output}: the output directory is inside the data directory {data_dir}; the data is "
                           f"never written (choose another --output)")
    for place in forbidden:
        place = place.resolve()
        if output == place or place in output.parents:
            raise OwnDataError(f"{output}: own data never goes into {place} (choose another --output)")
    return output


@dataclass
class OwnDataRun:
    data_dir: Path
    output: Path
    keep_roi_names: bool
    index: DataIndex
    grouping: Grouping
    staged_root: Path
    #: the data directory's files, as the fixture guard checksums a fixture set
    digests: dict[str, str] = field(default_factory=dict)
    started: str = ""
    #: tool ids and names and quantity keys, never redacted (set when the report is made)
    protected: set[str] = field(default_factory=set)

    @classmethod
    def prepare(cls, data_dir: Path, output: Path, keep_roi_names: bool, scratch: Path) -> OwnDataRun:
        started = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        index = index_directory(data_dir)
        grouping = group(index)
        if not grouping.sets:
            raise OwnDataError(f"{data_dir}: no CT series or DICOM-RT object found among {index.file_count} files")
        digests = file_digests(data_dir)
        staged_root = scratch / "own-data"
        for dataset in grouping.sets:
            stage(dataset, staged_root)
        return cls(data_dir.resolve(), output, keep_roi_names, index, grouping, staged_root, digests, started)

    def changed_files(self) -> list[Path]:
        """The user's files that differ from when the run began (none, unless something
        outside the harness wrote them)."""
        now = file_digests(self.data_dir)
        return [self.data_dir / name for name in sorted(self.digests.keys() | now.keys())
                if self.digests.get(name) != now.get(name)]

    def deidentifier(self) -> Deidentifier:
        identifying = {value for instance in self.index.instances for value in instance.identifying}
        labels = {}
        if not self.keep_roi_names:
            for dataset in self.grouping.sets:
                labels.update({name: f"ROI-{number}" for number, name in
                               roi_names(self.staged_root / dataset.label / "RS.dcm").items()})
            identifying |= {name for instance in self.index.instances for name in instance.roi_names
                            if name not in labels}
        return Deidentifier(identifying, labels, protected=self.protected)

    def finish(self, results: Results, manifests: dict[str, Manifest], fixtures_root: Path,
               partial: bool = False) -> list[Path]:
        """Judge, de-identify and write the report; returns the files written."""
        changed = self.changed_files()
        if changed:
            shown = ", ".join(str(p) for p in changed[:3]) + (f" and {len(changed) - 3} more" if len(changed) > 3
                                                              else "")
            raise OwnDataError(f"the data changed during the run: {shown}; nothing was reported")
        truth = reference_truth(fixtures_root)
        sets = [judge_set(dataset, self.staged_root / dataset.label, results.tools, manifests, truth,
                          self.keep_roi_names) for dataset in self.grouping.sets]
        tools = [OwnTool(key=t.key, name=t.name, version=t.version, install=t.install.status,
                         reason=t.install.reason) for t in results.tools]
        report = OwnDataResults(
            run=OwnRun(started=self.started, finished=_now(), harness_version=__version__,
                       keep_roi_names=self.keep_roi_names, partial=partial),
            index=_summary(self.index, self.grouping), tools=tools, sets=sets)
        self.protected = _harness_names(report, manifests)
        scrub = self.deidentifier()
        clean = OwnDataResults.model_validate(scrub.data(report.model_dump(mode="json")))
        # Every free-text value the files are made of is searched again (the templates' own
        # words are not data: a station named like a column heading is not a leak).
        leaks = [hit for text in free_text(clean.model_dump(mode="json")) for hit in scrub.leaks_in(text)]
        if leaks:
            raise OwnDataError(f"refusing to write the report: an identifying value survived redaction ({leaks[0]})")
        texts = {JSON_NAME: clean.model_dump_json(indent=2) + "\n", MARKDOWN_NAME: render_markdown(clean)}
        self.output.mkdir(parents=True, exist_ok=True)
        written = []
        for name, text in texts.items():
            atomic_write_text(self.output / name, text)
            written.append(self.output / name)
        return written


def _harness_names(report: OwnDataResults, manifests: dict[str, Manifest]) -> set[str]:
    """What free text may name that is the harness's, not the patient's: tool ids and
    names, and every quantity key of the report."""
    names = {t.key for t in report.tools} | {t.name for t in report.tools} | set(manifests)
    names |= {m.name for m in manifests.values()} | {m.id for m in manifests.values()}
    for data_set in report.sets:
        names |= {v.key for v in data_set.vendor} | {c.key for c in data_set.consensus}
        names |= {v.key for check in data_set.checks for v in check.verdicts}
    return {n for n in names if n}


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _summary(index: DataIndex, grouping: Grouping) -> IndexSummary:
    # A file is named by its name only: directory names often carry the patient's name.
    return IndexSummary(files=index.file_count, dicom_objects=len(index.instances), not_dicom=len(index.not_dicom),
                        unreadable=[f"{p.name}: {why}" for p, why in index.unreadable],
                        duplicates=len(index.duplicates) + len(index.conflicts), truncated=len(index.truncated),
                        unused=grouping.unused, accounts=index.accounts())


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


def describe_index(index: DataIndex, grouping: Grouping, show_paths: bool = False) -> list[str]:
    """``rtcompat data inspect``: the sets found and what each lacks, one block each."""
    lines = [(f"{index.root}: {index.file_count} files, {len(index.instances)} DICOM objects, "
              f"{len(index.not_dicom)} not DICOM, {len(index.unreadable)} unreadable, "
              f"{len(index.truncated)} truncated, {len(index.duplicates) + len(index.conflicts)} duplicate "
              f"instances; {len(grouping.sets)} sets")]
    shown = (lambda path: str(path.relative_to(index.root))) if show_paths else (lambda path: path.name)
    lines += [f"  {line}" for line in index.accounts(shown)]
    lines += [f"  unused: {line}" for line in grouping.unused]
    for dataset in grouping.sets:
        lines.append("")
        lines.append(f"{dataset.label}: {dataset.describe()}")
        lines.append(f"  probes: {', '.join(dataset.probes) or 'none'}")
        lines += [f"  note: {note}" for note in dataset.notes]
        if show_paths:
            lines += [f"  file: {o.path.relative_to(index.root)}" for o in dataset.objects]
    return lines
