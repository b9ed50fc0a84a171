#!/usr/bin/env python3
"""SimpleITK producer: re-write the input CT as a DICOM series OUTPUT/CT_*.dcm.

Usage: python3 produce_ct.py INPUTS OUTPUT
Runs in the simpleitk manifest's environment (SimpleITK 2.5.2).

Follows SimpleITK's documented examples
  Examples/DicomSeriesReadModifyWrite/DicomSeriesReadModifySeriesWrite.py
  Examples/DicomSeriesFromArray/DicomSeriesFromArray.py
i.e. ImageSeriesReader (GetGDCMSeriesIDs / GetGDCMSeriesFileNames,
MetaDataDictionaryArrayUpdateOn, LoadPrivateTagsOn), then one
ImageFileWriter.Execute per 2-D slice with KeepOriginalImageUIDOn, copying the
example's tag list from the reader, setting the example's series tags
(Series Date/Time, Image Type, new Series Instance UID, Image Orientation from
GetDirection, Series Description) and per-slice tags (Instance Creation
Date/Time, Image Position (Patient) from TransformIndexToPhysicalPoint((0,0,i)),
Instance Number).

Deviations from the examples, each because the example as written would
lose information a DICOM-RT consumer needs:
  * no filtering step (the ReadModifyWrite example blurs; we keep HU as read);
  * the reader returns float64 HU (the input has Rescale Slope 0.5), so we use
    the FromArray example's float branch (write int16 with Rescale Slope /
    Intercept + Bits Allocated/Stored, High Bit, Pixel Representation), but
    with the input's own slope/intercept instead of the example's 0.001/0
    (0.001 would overflow int16 above 32.767 HU);
  * Frame of Reference UID, Patient Position and Patient Sex are copied too
    (the example's tag list omits FoR UID, so GDCM would mint a new one and
    the CT would no longer share the RT objects' frame of reference);
  * the example's Series UID is built from date+time; we use a pydicom-free
    random 2.25 UID so reruns within one second stay unique.
File names are CT_<i+1>.dcm (the example uses <i>.dcm).
"""
import json
import os
import sys
import time
import traceback
import uuid


def main():
    if len(sys.argv) != 3:
        print("usage: produce_ct.py INPUTS OUTPUT", file=sys.stderr)
        return 2
    inputs, output = sys.argv[1], sys.argv[2]
    os.makedirs(output, exist_ok=True)
    t0 = time.time()

    import SimpleITK as sitk

    data_directory = os.path.join(inputs, "ct")
    series_IDs = sitk.ImageSeriesReader.GetGDCMSeriesIDs(data_directory)
    if not series_IDs:
        raise RuntimeError('directory "%s" does not contain a DICOM series' % data_directory)
    if len(series_IDs) != 1:
        raise RuntimeError("expected one series, found %d" % len(series_IDs))
    series_file_names = sitk.ImageSeriesReader.GetGDCMSeriesFileNames(data_directory, series_IDs[0])

    series_reader = sitk.ImageSeriesReader()
    series_reader.SetFileNames(series_file_names)
    series_reader.MetaDataDictionaryArrayUpdateOn()
    series_reader.LoadPrivateTagsOn()
    image3D = series_reader.Execute()

    writer = sitk.ImageFileWriter()
    writer.KeepOriginalImageUIDOn()

    tags_to_copy = ["0010|0010",  # Patient Name
                    "0010|0020",  # Patient ID
                    "0010|0030",  # Patient Birth Date
                    "0010|0040",  # Patient Sex
                    "0020|000d",  # Study Instance UID
                    "0020|0010",  # Study ID
                    "0008|0020",  # Study Date
                    "0008|0030",  # Study Time
                    "0008|0050",  # Accession Number
                    "0008|0060",  # Modality
                    "0020|0052",  # Frame of Reference UID (added, see docstring)
                    "0018|5100",  # Patient Position (added)
                    ]
    modification_time = time.strftime("%H%M%S")
    modification_date = time.strftime("%Y%m%d")
    direction = image3D.GetDirection()
    series_uid = "2.25.%d" % uuid.uuid4().int
    series_tag_values = [(k, series_reader.GetMetaData(0, k)) for k in tags_to_copy
                         if series_reader.HasMetaDataKey(0, k)] + \
        [("0008|0031", modification_time),  # Series Time
         ("0008|0021", modification_date),  # Series Date
         ("0008|0008", "DERIVED\\SECONDARY"),  # Image Type
         ("0020|000e", series_uid),  # Series Instance UID
         ("0020|0037", "\\".join(map(str, (direction[0], direction[3], direction[6],
                                           direction[1], direction[4], direction[7])))),  # IOP
         ("0008|103e", series_reader.GetMetaData(0, "0008|103e") + " Processed-SimpleITK")]

    pixel_id = image3D.GetPixelID()
    if pixel_id in (sitk.sitkFloat32, sitk.sitkFloat64):
        # FromArray example's floating point branch, with the input's own rescale
        slope = series_reader.GetMetaData(0, "0028|1053").strip() if series_reader.HasMetaDataKey(0, "0028|1053") else "1"
        intercept = series_reader.GetMetaData(0, "0028|1052").strip() if series_reader.HasMetaDataKey(0, "0028|1052") else "0"
        series_tag_values += [("0028|1053", slope),  # Rescale Slope
                              ("0028|1052", intercept),  # Rescale Intercept
                              ("0028|0100", "16"),  # Bits Allocated
                              ("0028|0101", "16"),  # Bits Stored
                              ("0028|0102", "15"),  # High Bit
                              ("0028|0103", "1")]  # Pixel Representation (signed)

    wrote = []
    for i in range(image3D.GetDepth()):
        image_slice = image3D[:, :, i]
        for tag, value in series_tag_values:
            image_slice.SetMetaData(tag, value)
        image_slice.SetMetaData("0008|0012", time.strftime("%Y%m%d"))  # Instance Creation Date
        image_slice.SetMetaData("0008|0013", time.strftime("%H%M%S"))  # Instance Creation Time
        image_slice.SetMetaData("0020|0032", "\\".join(
            map(str, image3D.TransformIndexToPhysicalPoint((0, 0, i)))))  # Image Position (Patient)
        image_slice.SetMetaData("0020|0013", str(i + 1))  # Instance Number
        fname = os.path.join(output, "CT_%d.dcm" % (i + 1))
        writer.SetFileName(fname)
        writer.Execute(image_slice)
        wrote.append(fname)

    print("read pixel type=%s elapsed_s=%.2f" % (image3D.GetPixelIDTypeAsString(), time.time() - t0), file=sys.stderr)
    print(json.dumps({"wrote": wrote,
                      "api": "SimpleITK.ImageSeriesReader (GDCM) + per-slice SimpleITK.ImageFileWriter "
                             "(KeepOriginalImageUIDOn, SetMetaData) following DicomSeriesReadModifySeriesWrite/"
                             "DicomSeriesFromArray examples (SimpleITK 2.5.2)"}))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as e:
        traceback.print_exc()
        print("ERROR: %s: %s" % (type(e).__name__, e), file=sys.stderr)
        sys.exit(1)
