"""rtcompat: which radiotherapy tools really read the DICOM-RT objects they exchange."""

__version__ = "0.1.0"
