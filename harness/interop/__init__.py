"""Producer -> consumer runs: tools that write DICOM-RT write the reference phantom
through their own API, and every reader reads what they wrote.

:mod:`.inputs` makes what a producer is given (the reference CT, the phantom's masks and
dose on their grids), :mod:`.produce` runs the producers and assembles each output into a
set of its own, :mod:`.truth` says what such a set must read as (the analytic truth,
with tolerances widened by what the producer's representation can hold), and
:mod:`.attribution` says whose fault a consumer's FAIL on it is.
"""
