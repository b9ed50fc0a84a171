"""3D Slicer + SlicerRT: import the fixture directory through Slicer's DICOM database and
load every series with the plugins SlicerRT registers; report what came in.

Run as: xvfb-run -a Slicer --no-main-window --python-script import_rt.py FIXTURE OUTPUT
"""
import json
import sys
import tempfile

import slicer
from DICOMLib import DICOMUtils

fixture = sys.argv[1]
observed, errors = {}, {}
try:
    with DICOMUtils.TemporaryDICOMDatabase(tempfile.mkdtemp()) as db:
        DICOMUtils.importDicom(fixture, db)
        for patient in db.patients():
            DICOMUtils.loadPatientByUID(patient)
    segmentations = slicer.util.getNodesByClass("vtkMRMLSegmentationNode")
    if segmentations:
        segmentation = segmentations[0].GetSegmentation()
        names = [segmentation.GetNthSegment(i).GetName() for i in range(segmentation.GetNumberOfSegments())]
        observed["rtstruct.roi_count"] = len(names)
        observed["rtstruct.roi_names"] = names
    for volume in slicer.util.getNodesByClass("vtkMRMLScalarVolumeNode"):
        array = slicer.util.arrayFromVolume(volume)
        if volume.GetAttribute("DicomRtImport.DoseVolume"):
            observed["dose.size_voxels"] = list(volume.GetImageData().GetDimensions())
            observed["dose.max_gy"] = float(array.max())
        else:
            observed["ct.size_voxels"] = list(volume.GetImageData().GetDimensions())
    beams = slicer.util.getNodesByClass("vtkMRMLRTBeamNode")
    if beams:
        observed["plan.beam_count"] = len(beams)
except Exception as exc:
    errors["import"] = f"{type(exc).__name__}: {exc}"
print(json.dumps({**observed, "_errors": errors}))
sys.stdout.flush()
slicer.app.exit(0)
