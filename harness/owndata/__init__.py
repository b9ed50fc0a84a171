"""A user's own DICOM-RT exports: indexed into sets, run through every tool, judged
without analytic truth (the export's own DVHs and plan values, and the consensus of
the tools), and reported without anything that identifies the patient.

The stages, each a module: :mod:`index` (headers to objects and their references),
:mod:`grouping` (objects to sets a check can run on), :mod:`stage` (a set laid out as a
fixture set, with probe points derived from the data), :mod:`vendor` (what the export
itself says), :mod:`consensus`, :mod:`tolerances`, :mod:`deidentify`, :mod:`judging`
and :mod:`report`.
"""
