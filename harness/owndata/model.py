"""The results of a run on own data: a document of its own, never mixed into the
catalogue's results or the committed reports.

Its statuses are the catalogue's, with one more: ``unjudged``, a check that ran and
reported, but where nothing it reported has a vendor reference or a consensus of enough
tools. That is not a pass: nothing was compared.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = 1
OwnStatus = Literal["pass", "fail", "error", "skip", "unavailable", "xfail", "unjudged"]
Source = Literal["vendor", "consensus"]


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OwnVerdict(_Record):
    key: str
    source: Source
    passed: bool
    convention: str | None = Field(None, description="the named convention the value follows, when it passes "
                                                      "by one")
    observed: Any = None
    reference: Any = None
    tolerance: str = ""
    unit: str = ""
    deviation: str = ""
    message: str


class OwnCheck(_Record):
    tool: str
    check: str
    capability: str
    status: OwnStatus
    reason: str
    reported: int = Field(0, description="quantities the check reported that tools are compared on")
    verdicts: list[OwnVerdict] = Field(default_factory=list)


class VendorRecord(_Record):
    key: str
    value: Any
    unit: str = ""
    tolerance: str = ""
    rule: str = ""


class ConsensusRecord(_Record):
    key: str
    formed: bool
    value: Any = None
    unit: str = ""
    tolerance: str = ""
    rule: str = ""
    tools: int = Field(description="how many tools report the quantity")
    agreeing: list[str] = Field(default_factory=list)
    outliers: list[str] = Field(default_factory=list, description="one line per tool outside the consensus")
    spread: str = ""
    why_not: str = ""


class OwnSet(_Record):
    label: str
    description: str
    probes: list[str]
    notes: list[str] = Field(default_factory=list)
    vendor_notes: list[str] = Field(default_factory=list)
    vendor: list[VendorRecord] = Field(default_factory=list)
    consensus: list[ConsensusRecord] = Field(default_factory=list)
    checks: list[OwnCheck] = Field(default_factory=list)


class OwnTool(_Record):
    key: str
    name: str
    version: str | None = None
    install: str
    reason: str = ""


class IndexSummary(_Record):
    files: int
    dicom_objects: int
    not_dicom: int
    unreadable: list[str] = Field(default_factory=list)
    duplicates: int = 0
    truncated: int = 0
    unused: list[str] = Field(default_factory=list)
    #: every file not simply used, by its name, with what it is and why it was left out
    accounts: list[str] = Field(default_factory=list)


class OwnRun(_Record):
    started: str
    finished: str
    harness_version: str
    keep_roi_names: bool
    partial: bool = False


class OwnDataResults(_Record):
    schema_version: int = SCHEMA_VERSION
    kind: Literal["own-data"] = "own-data"
    run: OwnRun
    index: IndexSummary
    tools: list[OwnTool] = Field(default_factory=list)
    sets: list[OwnSet] = Field(default_factory=list)
