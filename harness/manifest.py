"""The tool manifest: one YAML file per tool, its schema declared once, here.

Everything else derives from these models: the JSON Schema editors use
(``rtcompat schema``), the "adding a tool" field table in the docs, and the error
messages ``rtcompat validate`` prints. Keys are never silently ignored: an unknown
key is an error with a "did you mean" suggestion, because a misspelt ``timeout``
that quietly falls back to the default is exactly the bug such files breed.
"""

from __future__ import annotations

import math
import re
import string
from pathlib import Path, PurePosixPath
from typing import Annotated, Any, Literal, Union

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    HttpUrl,
    PrivateAttr,
    StrictStr,
    StringConstraints,
    field_validator,
    model_validator,
)

CAPABILITIES: dict[str, str] = {
    "startup": "the tool starts and reports its version",
    "read-ct": "reads the CT series: geometry and Hounsfield units",
    "read-rtstruct": "reads the RT Structure Set: ROI names, numbers, types, volumes",
    "read-rtplan": "reads the RT Plan: beams, gantry angles, meterset, prescription",
    "read-rtdose": "reads the RT Dose: grid geometry, scaling, dose values",
    "dvh": "computes dose-volume histograms from structures and dose",
    "qa-analysis": "runs its quality-assurance image analysis on a synthetic test image",
}

#: The truth keys a check of each capability is usually judged on (a check may judge a
#: subset: the report shows how many quantities each pass rests on).
TYPICAL_KEYS: dict[str, list[str]] = {
    "startup": [],
    "read-ct": ["ct.image_count", "ct.rows", "ct.columns", "ct.pixel_spacing_mm", "ct.slice_spacing_mm",
                "ct.origin_mm", "ct.orientation", "ct.patient_position", "ct.hu.*"],
    "read-rtstruct": ["rtstruct.roi_count", "rtstruct.roi_names", "rtstruct.roi.*.number", "rtstruct.roi.*.type",
                      "rtstruct.roi.*.volume_cc"],
    "read-rtplan": ["plan.label", "plan.beam_count", "plan.beam_names", "plan.gantry_angles_deg",
                    "plan.beam_meterset_mu", "plan.fraction_count", "plan.prescription_gy"],
    "read-rtdose": ["dose.size_voxels", "dose.pixel_spacing_mm", "dose.origin_mm", "dose.scaling", "dose.units",
                    "dose.max_gy", "dose.min_gy", "dose.at.*"],
    "dvh": ["dvh.*.min_gy", "dvh.*.max_gy", "dvh.*.mean_gy", "dvh.*.D95_gy", "dvh.*.D50_gy", "dvh.*.D5_gy",
            "dvh.*.V*gy_pct"],
    "qa-analysis": [],
}

#: Conventions whose alternative value a manifest may declare its tool follows (the
#: histogram-bin convention needs no declaration: the tool reports its bin width).
DECLARABLE_CONVENTIONS: tuple[str, ...] = ("no-end-caps", "volume-origin", "lowest-corner")

SECTIONS: tuple[str, ...] = (
    "Python Packages for Medical Physics",
    "Imaging and Visualization Libraries",
    "Quality Assurance Tools",
    "Integration Components",
    "Beyond the source catalogue",
)

SLUG = r"^[a-z0-9][a-z0-9-]*$"
#: A version's id: what follows the ``@`` in ``itk-snap@3.6.0`` (a release, ``main``, a suite).
VERSION_ID = r"^[a-z0-9][a-z0-9.+-]*$"
#: Ids and fixture names become file and directory names: kept short.
MAX_ID_LENGTH = 64

#: The placeholders a check command may use.
PLACEHOLDERS = ("python", "program", "fixture", "output", "tool_home")


def command_problems(template: list[str]) -> list[str]:
    """What is wrong with a command template: unknown or malformed placeholders."""
    problems = []
    for part in template:
        try:
            fields = [name for _, name, _, _ in string.Formatter().parse(part) if name is not None]
        except ValueError as exc:
            problems.append(f"{part!r}: {exc}")
            continue
        problems += [f"{part!r}: unknown placeholder {{{name}}} (known: {', '.join(PLACEHOLDERS)})"
                     for name in fields if name not in PLACEHOLDERS]
    return problems


def _plain_number(value: Any) -> Any:
    """A number, not a boolean or a string that looks like one (``timeout: true`` is no
    timeout, and ``"5"`` is a typo worth hearing about)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"must be a number, not {value!r}")
    return value


#: A float that refuses booleans and strings, with one clear message.
Number = Annotated[float, BeforeValidator(_plain_number)]


def _exact_value(value: Any) -> bool:
    """A value ``expect:`` can judge exactly: a boolean, a finite number, a string, or a list of them."""
    if isinstance(value, list):
        return all(_exact_value(v) for v in value)
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, (bool, int, str))


class Model(BaseModel):
    """Base for every manifest part: unknown keys are errors, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Tolerance(Model):
    """How far an observed number may stray from the truth and still pass."""

    abs: Number | None = Field(None, ge=0, allow_inf_nan=False, description="absolute tolerance, in the quantity's unit")
    rel: Number | None = Field(None, ge=0, allow_inf_nan=False,
                               description="relative tolerance as a fraction (0.03 = 3 %)")

    @model_validator(mode="after")
    def _needs_one(self) -> Tolerance:
        if self.abs is None and self.rel is None:
            raise ValueError("give abs, rel or both")
        return self


class XFail(Model):
    """A known incompatibility: the check still runs, a failure is expected."""

    reason: str = Field(description="what is known to be wrong, in one line")
    issue: HttpUrl | None = Field(None, description="upstream issue or report that tracks it")


class Check(Model):
    """One judged question put to the tool, e.g. 'read the dose grid'."""

    id: str = Field(pattern=SLUG, max_length=MAX_ID_LENGTH, description="unique within the tool, e.g. read-ct")
    capability: Literal[tuple(CAPABILITIES)] = Field(  # type: ignore[valid-type]
        description="what the check exercises: " + ", ".join(CAPABILITIES)
    )
    program: StrictStr = Field(description="check program, relative to tool_manifests/<id>/")
    command: list[StrictStr] | None = Field(
        None,
        description="argv template; placeholders {python} {program} {fixture} {output} {tool_home}."
        " Default chosen from the program's suffix (.py, .m, .ijm, .sh)",
    )
    fixture: str | None = Field(None, pattern=SLUG, max_length=MAX_ID_LENGTH,
                                description="run on this fixture set under fixtures/dicom/ only (a name, not a "
                                            "path); by default on every set that probes the check's capability "
                                            "(the reference set and the variants its truth.json names)")
    skip_sets: dict[Annotated[str, StringConstraints(pattern=SLUG, max_length=MAX_ID_LENGTH)], StrictStr] = Field(
        default_factory=dict,
        description="fixture set -> why this check does not run on it (the report shows the reason), e.g. "
                    "ct-jpeg2000: the program reads pixel data through a path the tool does not offer")
    judge: list[str] = Field(
        default_factory=list,
        description="truth keys (glob patterns, e.g. 'ct.*') the observations are judged against",
    )
    expect: dict[str, Any] = Field(
        default_factory=dict,
        description="tool-specific expectations judged exactly, for what the fixture truth cannot state"
        " (e.g. qatrack.migrate_ok: true)",
    )
    optional: list[str] = Field(
        default_factory=list,
        description="judged only when reported: patterns for keys the tool may not expose",
    )
    tolerances: dict[str, Tolerance] = Field(
        default_factory=dict, description="per-key-pattern tightenings of the truth's tolerances (never looser)"
    )
    conventions: dict[Literal[DECLARABLE_CONVENTIONS],  # type: ignore[valid-type]
                      Annotated[StrictStr, StringConstraints(min_length=20, strip_whitespace=True)]] = Field(
        default_factory=dict,
        description="named conventions the tool is documented to follow -> where (its code or manual), e.g."
                    " no-end-caps: 'dicompyler-core dicomparser.py CalculatePlaneThickness ...'; a value matching"
                    " a convention's alternative is credited only when declared here and evidenced")
    displayed_to: dict[str, Annotated[float, Field(gt=0)]] = Field(
        default_factory=dict,
        description="key pattern -> the step a value is shown to where the check reads it off the tool's screen"
                    " (a label rounded to 0.01 %): half a step is allowed beyond the truth's tolerance, at most a"
                    " tenth of that tolerance, and the verdict says so")
    read_from: dict[str, str] = Field(
        default_factory=dict,
        description="truth key -> the observation to judge it by, when one program reports a quantity from two"
        " places of the tool (e.g. CERR's plan structure and its derived beam table)",
    )
    timeout: Number = Field(300, ge=1, le=7200, description="seconds before the whole process group is killed")
    xfail: XFail | None = Field(None, description="known incompatibility, linked upstream")

    @model_validator(mode="after")
    def _judged_by_something(self) -> Check:
        if not self.judge and not self.expect:
            raise ValueError("give judge (truth keys), expect (exact expectations) or both")
        return self

    @model_validator(mode="after")
    def _read_from_judged_keys(self) -> Check:
        import fnmatch

        stray = [key for key in self.read_from if not any(fnmatch.fnmatchcase(key, p) for p in self.judge)]
        if stray:
            raise ValueError(f"read_from names {', '.join(stray)}, which the check does not judge")
        return self

    @field_validator("program")
    @classmethod
    def _inside_the_tool_directory(cls, program: str) -> str:
        path = PurePosixPath(program)
        if not program or path.is_absolute() or ".." in path.parts or "\\" in program:
            raise ValueError(f"{program!r} must be a path inside tool_manifests/<id>/ (no '..', not absolute)")
        return program

    @field_validator("command")
    @classmethod
    def _known_placeholders(cls, command: list[str] | None) -> list[str] | None:
        problems = command_problems(command or [])
        if problems:
            raise ValueError("; ".join(problems))
        return command

    @field_validator("expect")
    @classmethod
    def _judgeable_expectations(cls, expect: dict[str, Any]) -> dict[str, Any]:
        bad = [key for key, value in expect.items() if not _exact_value(value)]
        if bad:
            raise ValueError(f"{', '.join(bad)}: an expectation must be a boolean, a finite number, a string "
                             "or a list of them")
        return expect


#: DICOM-RT objects a producer may write, and the capability that reads each back.
PRODUCED_OBJECTS = {"rtstruct": "read-rtstruct", "rtdose": "read-rtdose", "ct": "read-ct"}


class Producer(Model):
    """The tool writing one DICOM-RT object of the reference phantom through its own API
    (``rtcompat run`` gives it the producer inputs: the reference CT, the phantom's masks
    and dose; see harness/interop/inputs.py). What it writes becomes a fixture set of its
    own that every reader's checks read."""

    id: str = Field(pattern=SLUG, max_length=MAX_ID_LENGTH, description="unique within the tool, e.g. write-rtstruct")
    object: Literal[tuple(PRODUCED_OBJECTS)] = Field(  # type: ignore[valid-type]
        description="what it writes: rtstruct (from the masks), rtdose (from the dose) or ct (a CT series)")
    program: StrictStr = Field(description="producer program, relative to tool_manifests/<id>/; it is called with "
                                           "the inputs directory and an empty output directory")
    command: list[StrictStr] | None = Field(
        None, description="argv template as for a check: {program} {fixture} (the inputs) {output} {python} "
                          "{tool_home}")
    api: str = Field("", description="the tool's API or command the program calls, as its users know it")
    timeout: Number = Field(300, ge=1, le=7200, description="seconds before the whole process group is killed")

    @field_validator("program")
    @classmethod
    def _inside_the_tool_directory(cls, program: str) -> str:
        return Check._inside_the_tool_directory(program)

    @field_validator("command")
    @classmethod
    def _known_placeholders(cls, command: list[str] | None) -> list[str] | None:
        return Check._known_placeholders(command)


class VersionQuery(Model):
    """How to ask the installed tool its version."""

    distribution: str | None = Field(None, description="Python distribution name (virtualenv backend)")
    debian_package: str | None = Field(None, description="Debian package whose version is reported")
    command: list[str] | None = Field(None, description="argv template printing the version")
    pattern: str | None = Field(None, description="regex with one group picking the version out of the output")


_PINNED = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(\[[A-Za-z0-9_,.-]+\])?===?[A-Za-z0-9.+!_-]+$")


def _pinned(requirements: list[str]) -> list[str]:
    """A run is only repeatable when every requirement names one release: ``name==1.2``,
    a local wheel or sdist, or a VCS URL at a commit (``@`` followed by a hash)."""
    loose = [r for r in requirements
             if not (_PINNED.match(r.replace(" ", "")) or r.endswith((".whl", ".tar.gz", ".zip"))
                     or re.search(r"@[0-9a-f]{7,40}$", r))]
    if loose:
        raise ValueError(f"not pinned to one release: {', '.join(map(repr, loose))} "
                         "(write name==version, so every run installs the same thing)")
    return requirements


class VirtualenvInstall(Model):
    """An isolated virtualenv per tool; uv when present, else venv + pip."""

    backend: Literal["virtualenv"] = Field(description="virtualenv")
    packages: list[str] = Field(min_length=1, description="pip requirement specifiers, pinned (==)")

    @field_validator("packages")
    @classmethod
    def _one_release_each(cls, packages: list[str]) -> list[str]:
        return _pinned(packages)
    python: str | None = Field(None, description="interpreter to build with; default: the harness's own")
    preload: list[str] = Field(
        default_factory=list,
        description="modules imported once per run by a server in the tool's environment; each check run as "
                    "`{python} {program}` is then a fresh process forked from it, without paying for the imports "
                    "again (e.g. [pydicom, numpy])")

    @field_validator("preload")
    @classmethod
    def _module_names(cls, modules: list[str]) -> list[str]:
        for name in modules:
            if not re.fullmatch(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*", name):
                raise ValueError(f"{name!r} is not a Python module name (e.g. pydicom, SimpleITK, numpy.linalg)")
        return modules


class DebianInstall(Model):
    """Packages from Debian's archive, installed when root and allowed."""

    backend: Literal["debian"] = Field(description="debian")
    packages: list[str] = Field(min_length=1, description="Debian package names")
    display: bool = Field(False, description="run checks under a virtual X display (xvfb-run)")


class GitSource(Model):
    """A dependency taken from a pinned git commit (mirror first, then the network)."""

    git: str = Field(description="clone URL")
    commit: str = Field(pattern=r"^[0-9a-f]{7,40}$", description="pinned commit")


class SourceInstall(Model):
    """A pinned git checkout, run by a runtime such as Octave or its own virtualenv."""

    backend: Literal["source"] = Field(description="source")
    git: str = Field(description="clone URL, e.g. https://github.com/e0404/matRad.git")
    commit: str = Field(pattern=r"^[0-9a-f]{7,40}$", description="pinned commit")
    runtime_packages: list[str] = Field(
        default_factory=list, description="Debian packages the runtime needs, e.g. octave"
    )
    environment: dict[str, str] = Field(default_factory=dict, description="extra environment for checks")
    python_packages: list[str] = Field(
        default_factory=list,
        description="pinned requirements (==) of a Python application; a virtualenv is built beside the checkout",
    )

    @field_validator("python_packages")
    @classmethod
    def _one_release_each(cls, packages: list[str]) -> list[str]:
        return _pinned(packages)
    python_sources: list[GitSource] = Field(
        default_factory=list, description="Python dependencies installed from pinned git commits")
    system_site_packages: bool = Field(
        False, description="the Python application's virtualenv also sees Debian's python3-* packages (name them in "
                           "runtime_packages, e.g. python3-wxgtk4.0); it is then built on /usr/bin/python3")


class ContainerInstall(Model):
    """An image built locally from a Dockerfile beside the manifest (or a public image)."""

    backend: Literal["container"] = Field(description="container")
    dockerfile: str | None = Field(None, description="Dockerfile relative to tool_manifests/<id>/")
    image: str | None = Field(None, description="public image, used only where a registry is reachable")
    user: str = Field("rtcompat", description="user the checks run as inside the container")
    memory: str = Field("4g", description="memory limit")
    pids: int = Field(512, gt=0, description="process limit")

    @model_validator(mode="after")
    def _needs_source(self) -> ContainerInstall:
        if not (self.dockerfile or self.image):
            raise ValueError("give a dockerfile, an image or both")
        return self


class UnavailableInstall(Model):
    """Proprietary or platform-bound: no install, the row stays with its reason."""

    backend: Literal["unavailable"] = Field(description="unavailable")
    reason: str = Field(description="why it cannot run on a Linux test bed")


Install = Annotated[
    Union[VirtualenvInstall, DebianInstall, SourceInstall, ContainerInstall, UnavailableInstall],
    Field(discriminator="backend"),
]


class Restrictions(Model):
    """What the tool needs from the machine; drives the CI matrix and skip reasons."""

    root: bool = Field(False, description="needs root (e.g. to apt-get install)")
    container_engine: bool = Field(False, description="needs a running container engine")
    display: bool = Field(False, description="needs an X display (a virtual one will do)")
    network: bool = Field(False, description="needs the internet beyond package registries")
    flaky: bool = Field(False, description="known to give different results run to run")


class ToolVersion(Model):
    """One of several versions a manifest installs side by side, each its own row.

    Only what differs between versions lives here; name, summary, homepage and section
    are the tool's. ``checks`` replaces the tool's checks for this version when given
    (an old release may answer fewer questions than the current one)."""

    id: str = Field(pattern=VERSION_ID, max_length=32,
                    description="what the version is called after the @, e.g. 3.6.0, main, 2.4: lower case, digits, "
                                "dots, dashes, plus")
    install: Install = Field(description="how to install this version (any backend)")
    version: VersionQuery | None = Field(None, description="how to ask this version its version (default: the tool's)")
    restrictions: Restrictions | None = Field(None, description="what this version needs from the machine "
                                                                "(default: the tool's)")
    checks: list[Check] | None = Field(None, description="this version's checks, replacing the tool's (default: the "
                                                         "tool's checks)")

    @field_validator("checks")
    @classmethod
    def _unique_check_ids(cls, checks: list[Check] | None) -> list[Check] | None:
        return None if checks is None else _unique_checks(checks)


def _unique_checks(checks: list[Check]) -> list[Check]:
    seen: set[str] = set()
    for check in checks:
        if check.id in seen:
            raise ValueError(f"duplicate check id {check.id!r}")
        seen.add(check.id)
    return checks


class Manifest(Model):
    """A tool of the catalogue: who it is, how to install it, what to ask it.

    A manifest installs one version (``install``) or several (``versions``). Everything
    downstream works on :meth:`installs`: one manifest per version, each with its own
    ``install``, ``checks`` and :attr:`key` (``itk-snap@3.6.0``), so every version is its
    own environment, row, history line, CI job and badge."""

    id: str = Field(pattern=SLUG, max_length=MAX_ID_LENGTH, description="file name without .yaml; lower-case, dashes")
    name: str = Field(min_length=1, description="display name")
    summary: str = Field(min_length=10, description="one or two sentences, in our own words")
    homepage: HttpUrl = Field(description="the tool's own web page (http or https), linked from the report")
    licence: str = Field(description="SPDX identifier or 'proprietary'")
    section: Literal[SECTIONS] = Field(description="catalogue section the report groups it under")  # type: ignore[valid-type]
    in_source_catalogue: bool = Field(description="true for the tools the catalogue follows (the 'Open Source Software "
                                              "tools' list of the radiation oncology overview page); false for tools "
                                              "added beyond it, which go under 'Beyond the source catalogue'")
    install: Install | None = Field(None, description="how to install it: a mapping whose 'backend' picks one of the "
                                                      "install sections below (or give versions instead)")
    versions: list[ToolVersion] = Field(default_factory=list,
                                        description="several versions installed side by side, each its own row "
                                                    "(instead of install), e.g. a Debian build and the upstream "
                                                    "release")
    version: VersionQuery | None = Field(None, description="how to ask the installed tool its version "
                                                           "(default: the backend's own guess)")
    restrictions: Restrictions = Field(Restrictions(), description="what the tool needs from the machine "
                                                                   "(root, an engine, a display, the internet)")
    shares_code_with: list[Annotated[str, StringConstraints(pattern=SLUG, max_length=MAX_ID_LENGTH)]] = Field(
        default_factory=list,
        description="ids of catalogue tools whose code computes this tool's numbers (dicompyler shows "
                    "dicompyler-core's DVHs): a consensus of the tools counts them as one voice")
    checks: list[Check] = Field(default_factory=list, description="the judged questions put to the tool; "
                                                                  "see checks[] below")
    produces: list[Producer] = Field(default_factory=list,
                                     description="DICOM-RT objects the tool writes from the reference phantom, each "
                                                 "read back by every reader (see produces[] below)")
    _variant: str | None = PrivateAttr(None)

    @field_validator("checks")
    @classmethod
    def _unique_check_ids(cls, checks: list[Check]) -> list[Check]:
        return _unique_checks(checks)

    @field_validator("produces")
    @classmethod
    def _unique_producer_ids(cls, produces: list[Producer]) -> list[Producer]:
        ids = [p.id for p in produces]
        if len(set(ids)) != len(ids):
            raise ValueError(f"duplicate producer id {next(i for i in ids if ids.count(i) > 1)!r}")
        return produces

    @model_validator(mode="after")
    def _one_way_to_install(self) -> Manifest:
        if self.install is None and not self.versions:
            raise ValueError("give install (one version) or versions (several)")
        if self.install is not None and self.versions:
            raise ValueError("give install or versions, not both (each version has its own install)")
        ids = [v.id for v in self.versions]
        if len(set(ids)) != len(ids):
            raise ValueError(f"duplicate version id {next(i for i in ids if ids.count(i) > 1)!r}")
        return self

    @property
    def variant(self) -> str | None:
        """Which of the manifest's versions this is (None for a one-version manifest)."""
        return self._variant

    @property
    def key(self) -> str:
        """The installed version's identity: ``pydicom``, or ``itk-snap@3.6.0`` for one of several."""
        return f"{self.id}@{self._variant}" if self._variant else self.id

    @property
    def path_name(self) -> str:
        """The key as a file, directory and image name: no ``@``, no dots
        (``itk-snap--3_6_0``); version ids hold no ``_``, so two never meet."""
        return self.key.replace("@", "--").replace(".", "_").replace("+", "_")

    @property
    def backend(self) -> str:
        """The install backend's name; a manifest of several versions lists each one's."""
        if self.install is not None:
            return self.install.backend
        return ",".join(dict.fromkeys(v.install.backend for v in self.versions))

    def installs(self) -> list[Manifest]:
        """One manifest per version to install, each with exactly one ``install``."""
        if not self.versions:
            return [self]
        expanded = []
        for version in self.versions:
            one = self.model_copy(update={
                "install": version.install, "versions": [],
                "version": version.version or self.version,
                "restrictions": version.restrictions or self.restrictions,
                "checks": self.checks if version.checks is None else version.checks,
            })
            one._variant = version.id
            expanded.append(one)
        return expanded

    def select(self, key: str) -> Manifest | None:
        """The installed version called ``key`` (``tool`` or ``tool@version``), if any."""
        return next((one for one in self.installs() if one.key == key), None)


def manifest_dir(manifest_path: Path) -> Path:
    """Where a manifest's checks and Dockerfile live: ``tool_manifests/<id>/``."""
    return manifest_path.with_suffix("")


def tool_id_from_path(path: Path) -> str:
    return re.sub(r"\.ya?ml$", "", path.name)
