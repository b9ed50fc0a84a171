"""3D Slicer + SlicerRT: import the fixture directory through Slicer's DICOM database and
load every series with the plugins SlicerRT registers; report what came in, and save a
screenshot of Slicer's main window with the data loaded.

Run as: xvfb-run -a Slicer --no-splash --python-script import_rt.py FIXTURE OUTPUT

Two parts. ``observe_scene`` reads the MRML scene the import filled, through MRML and VTK
only: it runs unchanged on slicer-core (the same libraries as a wheel), which is how it
is tested where Slicer itself cannot be downloaded. ``main`` needs the Slicer application
(DICOMLib, SlicerRT's plugins, the main window) and runs only inside the container.
"""
import json
import sys
import tempfile

DOSE_ATTRIBUTE = "DicomRtImport.DoseVolume"  # SlicerRT marks the volumes it imported from an RT Dose


def observe_scene(scene):
    """(observed, errors) from the nodes of ``scene``: structure names from the first
    segmentation, the dose volume's size and maximum (SlicerRT loads it in Gy), the CT's size."""
    from vtk.util.numpy_support import vtk_to_numpy

    observed, errors = {}, {}
    segmentations = nodes(scene, "vtkMRMLSegmentationNode")
    if segmentations:
        segmentation = segmentations[0].GetSegmentation()
        names = [segmentation.GetNthSegment(i).GetName() for i in range(segmentation.GetNumberOfSegments())]
        observed["rtstruct.roi_count"] = len(names)
        observed["rtstruct.roi_names"] = names
    else:
        errors["rtstruct"] = "no segmentation node after the import"
    doses, images = [], []
    for volume in nodes(scene, "vtkMRMLScalarVolumeNode"):
        (doses if volume.GetAttribute(DOSE_ATTRIBUTE) else images).append(volume)
    for volume in doses[:1]:
        data = volume.GetImageData()
        observed["dose.size_voxels"] = list(data.GetDimensions())
        observed["dose.max_gy"] = float(vtk_to_numpy(data.GetPointData().GetScalars()).max())
    if not doses:
        errors["dose"] = "no volume marked as an RT Dose after the import"
    for volume in images[:1]:
        observed["ct.size_voxels"] = list(volume.GetImageData().GetDimensions())
    if not images:
        errors["ct"] = "no image volume after the import"
    beams = nodes(scene, "vtkMRMLRTBeamNode")
    if beams:
        observed["plan.beam_count"] = len(beams)
    return observed, errors


def nodes(scene, class_name):
    """The scene's nodes of one class (a vtkCollection walked, as MRML gives it)."""
    collection = scene.GetNodesByClass(class_name)
    return [collection.GetItemAsObject(i) for i in range(collection.GetNumberOfItems())]


def screenshot(path):
    """Slicer's main window, four-up, as the user sees it after loading."""
    import slicer

    window = slicer.util.mainWindow()
    if window is None:
        return "no main window (started with --no-main-window?)"
    slicer.app.layoutManager().setLayout(slicer.vtkMRMLLayoutNode.SlicerLayoutFourUpView)
    slicer.util.resetSliceViews()
    slicer.app.processEvents()
    return None if window.grab().save(path) else f"could not save {path}"


def main(fixture, output):
    import slicer
    from DICOMLib import DICOMUtils

    observed, errors = {}, {}
    try:
        with DICOMUtils.TemporaryDICOMDatabase(tempfile.mkdtemp()) as db:
            DICOMUtils.importDicom(fixture, db)
            for patient in db.patients():
                DICOMUtils.loadPatientByUID(patient)
        observed, errors = observe_scene(slicer.mrmlScene)
        if problem := screenshot(f"{output}/screenshot.png"):
            errors["screenshot"] = problem
    except Exception as exc:
        errors["import"] = f"{type(exc).__name__}: {exc}"
    print(json.dumps({**observed, "_errors": errors}))
    sys.stdout.flush()
    slicer.app.exit(0)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else ".")
