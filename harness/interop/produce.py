"""Running the producers, and turning what each wrote into a fixture set its readers read.

For every producer a manifest declares (``produces:``), on every installed version:
install the tool as for its checks, run the program on the producer inputs (read-only)
with an empty output directory, keep the DICOM files it wrote, validate them
(:mod:`.validate`), and assemble a set: the reference set with the produced object in
place of its own (a produced CT series stands alone), the reference's points, and the
end-to-end truth of :mod:`.truth`. The reference reader of :mod:`harness.power.reader`
then reads the set against that truth: what it fails on, the object does not hold
(the producer's infidelity, not any reader's fault).

A produced object is cached under ``<cache>/produced/<key>/`` by the tool's key and
version, the manifest's definition (programs included) and the inputs' digest: the
same producer on the same inputs is never run twice.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import pydicom

from harness.backends.base import Mounts
from harness.catalogue import Entry
from harness.fixture_guard import is_check_visible
from harness.fixtures.geometry import DOSE_GRADIENT_GY_PER_MM
from harness.interop.inputs import INPUTS_VERSION, masks, write_inputs
from harness.interop.truth import produced_truth
from harness.interop.validate import validate
from harness.judging.judge import load_truth
from harness.judging.outcome import facts_of
from harness.manifest import Manifest, Producer, manifest_dir
from harness.power.reader import LoadedSet, Reader
from harness.power.suite import run_reader
from harness.results import ProductionRecord
from harness.runner import ToolRun, definition_digest
from harness.tree import digest, entries

#: What a producer's object replaces in the reference set.
MODALITY = {"rtstruct": "RTSTRUCT", "rtdose": "RTDOSE", "ct": "CT"}


def set_name(manifest: Manifest, producer: Producer) -> str:
    """``by-plastimatch-write-rtstruct``: whose object, and which producer."""
    return f"by-{manifest.path_name}-{producer.id}"


def inputs_digest(inputs: Path) -> str:
    found = hashlib.sha256(f"inputs {INPUTS_VERSION}\0".encode())
    for entry in entries(inputs):
        found.update(f"{entry.display}\0{digest(entry)}\0".encode())
    return found.hexdigest()


@dataclass
class Producing:
    """The producer inputs of one run and where produced sets go."""

    reference: Path
    work: Path
    sets_root: Path
    cache: Path

    def __post_init__(self) -> None:
        self.inputs = write_inputs(self.reference, self.work / "inputs")
        self.inputs_key = inputs_digest(self.inputs)
        data = LoadedSet.read(self.reference)
        reader = Reader(data)
        ct, _ = reader.ct_grid()
        self.masks = masks(data, reader, ct)
        self.voxel_mm = (ct.column_spacing, ct.row_spacing, float(abs((ct.positions[1] - ct.positions[0]) @ ct.normal)))
        self.dose_max = float(reader.dose_grid().values.max())
        self.truth_document = json.loads((self.reference / "truth.json").read_text())
        self.ct_headers = [pydicom.dcmread(self.reference / name, stop_before_pixels=True) for name, _, _ in data.ct]
        self.sets_root.mkdir(parents=True, exist_ok=True)

    def inputs_changed(self) -> str | None:
        """What a producer changed in its inputs (None: nothing). They are rebuilt at once,
        so the next producer is given the phantom, not what the last one left."""
        if inputs_digest(self.inputs) == self.inputs_key:
            return None
        write_inputs(self.reference, self.inputs)
        return "the producer inputs' digest changed"

    def cache_key(self, manifest: Manifest, manifest_path: Path, version: str | None, producer: Producer) -> str:
        key = hashlib.sha256()
        for part in (manifest.key, version or "", definition_digest(manifest_path),
                     producer.model_dump_json(), self.inputs_key):
            key.update(part.encode() + b"\0")
        return key.hexdigest()[:24]


def produce(entry: Entry, manifest: Manifest, producer: Producer, run: ToolRun, where: Producing) -> ProductionRecord:
    """One producer's record; its set assembled under ``where.sets_root`` when it wrote one."""
    base = dict(tool=manifest.key, tool_name=manifest.name, producer=producer.id, object=producer.object,
                api=producer.api, program=f"{manifest.id}/{producer.program}")
    install, env = run.install()
    if env is None:
        reason = install.reason + (f"; to enable: {install.enable}" if install.enable else "")
        return ProductionRecord(status=install.status, reason=reason, **base)
    base["version"] = env.version
    program = manifest_dir(entry.path) / producer.program
    if not program.is_file():
        return ProductionRecord(status="error", reason=f"producer program missing: {producer.program}", **base)
    key = where.cache_key(manifest, entry.path, env.version, producer)
    cached = where.cache / "produced" / key
    if (cached / "production.json").is_file():
        record = ProductionRecord.model_validate_json((cached / "production.json").read_text())
        record = record.model_copy(update={"cached": True})
    else:
        record = _run_producer(manifest, producer, run, env, program, where, base, cached)
    if record.status in ("pass", "fail") and record.files:
        record = _assemble(manifest, producer, record, cached / "files", where)
    return record


def _run_producer(manifest, producer, run, env, program, where, base, cached) -> ProductionRecord:
    output = where.work / "outputs" / manifest.path_name / producer.id
    shutil.rmtree(output, ignore_errors=True)
    output.mkdir(parents=True)
    mounts = Mounts(fixture=where.inputs, output=output, checks=manifest_dir(run.manifest_path))
    argv = run.program_argv(producer.program, producer.command, env, mounts)
    start = time.monotonic()
    try:
        done = run.backend.run(env, argv, mounts, producer.timeout)
    except Exception as exc:  # the testbed's, never the tool's
        return ProductionRecord(status="error", reason=f"testbed failed while running the producer: {exc}", **base)
    facts = facts_of(done)
    base = {**base, "process": facts, "seconds": round(time.monotonic() - start, 3)}
    if (changed := where.inputs_changed()) is not None:  # put back for the next producer, and say so
        return ProductionRecord(status="fail", reason=f"modified its inputs ({changed}); they were rebuilt", **base)
    if done.launch_error:
        return ProductionRecord(status="error", reason=f"could not start the producer: {done.launch_error}", **base)
    written, other = _of_kind(output, producer.object)
    if done.timed_out:
        return ProductionRecord(status="fail", reason=f"did not finish within {producer.timeout:g} s", **base)
    if done.returncode != 0:
        return ProductionRecord(status="fail", reason=f"exited with status {done.returncode}: "
                                                      f"{done.tail('stderr', 3) or done.tail('stdout', 3)}", **base)
    if not written:
        said = _said(done.stdout)
        what = f"wrote no {MODALITY[producer.object]} object" + (f" (only {len(other)} other file(s): "
                                                                 f"{', '.join(other[:3])})" if other else "")
        return ProductionRecord(status="fail", reason=f"exited 0 but {what}: "
                                                      f"{said or done.tail('stderr', 2) or 'nothing on stderr'}", **base)
    staging = cached.with_name(cached.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "files").mkdir(parents=True)
    names = []
    for path in written:
        name = path.relative_to(output).as_posix().replace("/", "_")
        shutil.copyfile(path, staging / "files" / name)
        names.append(name)
    record = ProductionRecord(status="pass", reason="wrote " + ", ".join(names[:3])
                              + (f" and {len(names) - 3} more" if len(names) > 3 else ""), files=names, **base)
    (staging / "production.json").write_text(record.model_dump_json(indent=2))
    shutil.rmtree(cached, ignore_errors=True)
    staging.rename(cached)
    return record


#: How the set names a produced object's files, as the generator names its own.
FILE_NAMES = {"rtstruct": "RS", "rtdose": "RD", "ct": "CT_"}


def set_file_names(kind: str, written: list[str]) -> dict[str, str]:
    """Each written file's name in the set: ``RS.dcm``, ``RD.dcm``, ``CT_1.dcm`` ... as our
    sets name them. A file name is no part of a DICOM object (PS3.10 leaves it to the
    medium), and the check programs find the objects by these names, so a tool that names
    its files otherwise (matRad's ``ct_slice_1.dcm``) is not failed for our programs' sake."""
    stem = FILE_NAMES[kind]
    if kind != "ct" and len(written) == 1:
        return {written[0]: f"{stem}.dcm"}
    ordered = sorted(written, key=lambda n: [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", n)])
    return {name: f"{stem}{'' if kind == 'ct' else '_'}{index}.dcm" for index, name in enumerate(ordered, 1)}


def _of_kind(output: Path, kind: str) -> tuple[list[Path], list[str]]:
    """The DICOM files a producer wrote that are its object (by Modality), and the names of
    the others: a tool's export writes what it writes (matRad its CT with every export),
    each producer keeps its own object."""
    mine, other = [], []
    # a link is never followed: a producer's output is what it wrote, not what it points at
    for path in sorted(p for p in output.rglob("*") if p.is_file() and not p.is_symlink() and is_check_visible(p)
                       and p.name != "points.json"):
        try:
            modality = str(pydicom.dcmread(path, stop_before_pixels=True, force=True).get("Modality", ""))
        except Exception:  # unreadable: kept, so validation says what is wrong with it
            modality = MODALITY[kind]
        (mine if modality == MODALITY[kind] else other).append(path if modality == MODALITY[kind] else path.name)
    return mine, other


def _said(stdout: str) -> str:
    """What a producer's last JSON line says went wrong (its ``_errors``), in one line."""
    lines = [line for line in stdout.strip().splitlines() if line.strip()]
    try:
        errors = json.loads(lines[-1]).get("_errors") if lines else None
    except (ValueError, AttributeError):
        return ""
    return "; ".join(f"{k}: {v}" for k, v in errors.items())[:400] if isinstance(errors, dict) else ""


def _assemble(manifest, producer, record: ProductionRecord, files: Path, where: Producing) -> ProductionRecord:
    """The produced set, validated and read by the reference reader; the record says how it went."""
    name = set_name(manifest, producer)
    target = where.sets_root / name
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    kind = producer.object
    if kind != "ct":
        for path in sorted(where.reference.iterdir()):
            if path.name in ("truth.json", "README.md", "points.json") or not path.is_file():
                continue
            modality = str(pydicom.dcmread(path, stop_before_pixels=True, force=True).get("Modality", ""))
            if modality != MODALITY[kind]:
                shutil.copyfile(path, target / path.name)
    produced = []
    for written, stored in set_file_names(kind, record.files).items():
        shutil.copyfile(files / written, target / stored)
        produced.append(target / stored)
    shutil.copyfile(where.reference / "points.json", target / "points.json")
    truth = produced_truth(where.truth_document, kind, masks=where.masks, voxel_mm=where.voxel_mm,
                           gradient_gy_per_mm=DOSE_GRADIENT_GY_PER_MM, dose_max_gy=where.dose_max)
    truth["set"] = name
    truth["description"] = (f"The reference phantom's {kind.upper() if kind != 'ct' else 'CT series'} as "
                            f"{manifest.name} {record.version or ''} writes it ({producer.api or producer.program}); "
                            f"the rest of the reference set unchanged." if kind != "ct" else
                            f"The reference CT series as {manifest.name} {record.version or ''} writes it "
                            f"({producer.api or producer.program}), standing alone.")
    truth["variant"] = {"title": f"{kind.upper() if kind != 'ct' else 'CT'} written by {manifest.name}",
                        "differs": truth["description"], "reports": [],
                        "truth": "the reference phantom's analytic truth, tolerances widened by what the producer's "
                                 "representation may lose (see each quantity's method)"}
    truth["produced_by"] = {"tool": manifest.key, "producer": producer.id, "object": kind, "version": record.version}
    (target / "truth.json").write_text(json.dumps(truth, indent=2) + "\n")
    validation = validate(kind, produced, where.ct_headers)
    fidelity = _fidelity(target)
    problems = []
    if not validation.valid:
        problems.append(f"invalid: {(validation.errors + validation.structural)[0]}"
                        + (f" (+{len(validation.errors) + len(validation.structural) - 1} more)"
                           if len(validation.errors) + len(validation.structural) > 1 else ""))
    if fidelity["failed"]:
        problems.append(f"unfaithful: {fidelity['messages'][0]}"
                        + (f" (+{len(fidelity['failed']) - 1} more)" if len(fidelity["failed"]) > 1 else ""))
    status = record.status if record.status != "pass" else ("fail" if problems else "pass")
    reason = "; ".join(problems) if problems else (
        f"{record.reason}; valid ({validation.validator}{', ' + validation.note if validation.note else ''}) and "
        f"faithful ({fidelity['judged']} quantities within the widened tolerances)")
    return record.model_copy(update={"status": status, "reason": reason, "fixture": name,
                                     "validation": validation.as_dict(), "fidelity": fidelity})


def _fidelity(directory: Path) -> dict:
    """The reference reader on the produced set: what the object does not hold."""
    try:
        outcome = run_reader(Reader, LoadedSet.read(directory), load_truth(directory))
    except Exception as exc:  # the object defeats a reader written from the standard
        return {"judged": 0, "failed": ["*"], "messages": [f"the reference reader cannot read it: "
                                                           f"{type(exc).__name__}: {exc}"]}
    return {"judged": outcome.judged, "failed": sorted({v.key for v in outcome.failed}),
            "messages": [v.message for v in outcome.failed][:20]}
