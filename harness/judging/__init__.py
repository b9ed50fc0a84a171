"""Deciding verdicts: judging observations against truth, the conventions a value may
follow instead, the synonyms DICOM strings come in, and the findings that explain
failures. Declared knowledge (conventions, synonyms, findings) is data; the code here
only applies it."""
