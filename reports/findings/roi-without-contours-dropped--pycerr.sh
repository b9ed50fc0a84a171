#!/bin/sh
# Reproduces, without rtcompat: F28 An ROI without a ContourSequence disappears from the structure set
# Tool: pyCERR 2.5.1; check program tool_manifests/pycerr/checks/import_dvh.py; fixture set 'roi-without-contours'.
# Run it from a checkout of the rtcompat repository (for the fixture files and the check program).
set -eu
work="${TMPDIR:-/tmp}/rtcompat-reproduce"
mkdir -p "$work/out"

# 1. The fixture files, checked by their sha256 (rtcompat fixtures build regenerates them).
cd fixtures/dicom/roi-without-contours
sha256sum -c <<'SUMS'
4fc827e0f398cd28dd8ad8aa18a4abf27d6ffd5f9754631a41f04138c7164aaa  CT_1.dcm
64b4b48eeeea3bc179efd0e6e0983668e9e6a83edf49ef072a87a8708e61c1b2  CT_10.dcm
588f5467478abc314325e10bb6095c941d829724e5004224780912590b8c2e4a  CT_11.dcm
203ecbbad3102470f00e9d08f9301dffad5be4bf5753318cc3ca8d575e696e8b  CT_12.dcm
15c8474dd02ff96c48962dc19472b6c013029123ea38a21fdd1464f2c3f5c8c7  CT_13.dcm
0dd470c7bdee7995ceff7b711690d5de0c8c882806450f9d1be2e5a76c2469d4  CT_14.dcm
e32633c92b245767f0a95ff302a57ae5d6be87c69350af10c9d51ee7c1cec349  CT_15.dcm
f1475bb303e92db53d1520b14ea41b8cc782ed7e6e9be9ddd5e7c509ca4df343  CT_16.dcm
f28b01f1feabdb9424833c4bafb887a913d9e2303f0bf3db5cb6a55e5a2bad4e  CT_17.dcm
2575a4940e8444298f7c0b76d8ac166996a62806db532e0c511c9f1029a0004a  CT_18.dcm
470ef8462b48cf6672e56bb2c1e3311ec510b87707f4d949deb23c0629c87c85  CT_19.dcm
b213246ff32e10de22d743660dc1617691a1da5c93214423dae192a65abe856f  CT_2.dcm
2449ec3a3e5f802648208d1ccd60bae722b259d69887e41b86147e7348f8eaaa  CT_20.dcm
ca908ef36b2b25ad92190e67ded398c00d8ec75689f1fb7543d76caffcf272a6  CT_21.dcm
b06b1265028b88964afc9596f0069917312171cbcd6dd4d38a78358dcd1634dc  CT_22.dcm
43be214e12bb1670fcbca0dce8bcf2fea1f24ed5f24bd96f112d8d8a5a2fe7e2  CT_23.dcm
1e7ac86b1d10b078838c59501bf6c6855974cd2066f2a6c3a61f6bd7955c4657  CT_24.dcm
5943051abd9308ac4cd259d4f89819e5fa3c0ec173cec8029ed8f0b57766a00f  CT_25.dcm
375917a62739585f594f3d576933a0cac7dc59ae53b820e052feeee2d0590969  CT_26.dcm
f2dd6802508fcb30862237b44f2dcec1cbc9b1806dc2693f33bf4e385d3c3cad  CT_27.dcm
18e9acb3146e19e3a48adb743e0cde131110b8be2d07256860fbe4b84c0c2619  CT_28.dcm
7defc05fc4ca694152e4f4dc897eecd67f69cdeb2625ecdf7ffef1069b86e274  CT_29.dcm
38cc64a211249ba806943cc204ce3cac041bf404ed2bdab3170f273785aa068d  CT_3.dcm
9c3848bcad19a5158739104239948eca35cbdfe946e40dfeafe25e5bd4636929  CT_30.dcm
f607b84458a8afbd02b13c437baa3a2248f87e06923601ac9b31630c59d3bc29  CT_31.dcm
d562878dfe0e7d82ae9cc80ed53987d886c5ea7889d58f94d9b3a8aeac8a5088  CT_32.dcm
6e4e3303fe1442be5539e578df211e030b001adf3dfecc014353d4fb67e41b37  CT_33.dcm
7284d37ed5fd321ad1c65dd5db2dafc180848296f37d74449bba4b677f803d6e  CT_34.dcm
761b2c2ea8769d88c55e1f4e4fbcd56f91a1c9c71272b13774aa8ba1f21b2434  CT_35.dcm
0148b065e2d692776dced62ddc476edc8624251276d6a3ba174c3a03e66e2794  CT_36.dcm
19b7c41587d3463fcb5c61ab39adff4c536d12038c4fbacca0c39a814749dbe9  CT_37.dcm
d94469ff06d9d761cbd78391fe978cd8ddab4b64ccda9d51c781225c1141d642  CT_38.dcm
13e52d3f3db313904513422c2fbb68fc5beeb880dbc1303203049f57a3366170  CT_39.dcm
5b599dbfd0e68b51870607d7e2695533d7ca72d69e1e866625ebb009c00c98c3  CT_4.dcm
828cc3b78c82373d2f916edf520f4a0549a230c32b6e45450eb95c2cb6ea726e  CT_40.dcm
779fdecd011789c2c3113531b74e16a801d248daa511dfb3d49f230950ee8654  CT_41.dcm
3504b29616a50b2016885c020471c27471dd34be447ee75ebd7177380e6a1bab  CT_42.dcm
88f89d68f9137fac9c4b2f522197baaa29b1fdb658a7304da8013df60e48b229  CT_43.dcm
dc6d32be5e848948d70156d9ee30c41ea95de1492e53c001f3663d98eb7699f3  CT_44.dcm
bd4b97530d92d3a5fdfb220646cf9d9d663fb8073742378b750a15470844a8ac  CT_45.dcm
dcbcecb95a376e3f6aa5955bf0fd98f971359f3b5dea3fdf95e7fe6479fadf33  CT_46.dcm
27d88cb9fa10c026c0fcdd6bd5ed94eac5694ff3fd1d0d2254bfb1f861e9d33a  CT_47.dcm
f225135e094a8f31315118aef87a2c0ebb1254d08ffe1aba53cd7def367047c3  CT_48.dcm
0a8811d3de1b022fd24d7646c0c573cfecc70c62fbe2dc1c42619f9b3355f892  CT_49.dcm
536a2413e10cc887f9190e18341d1dcc5d87155a2a7ee4543e1270d41cadbce1  CT_5.dcm
6838e26f343a89989c50a793645ebc9f62db18d31bd1aa8d7ecde315789b356a  CT_50.dcm
3141c7be64a36d48365bb3ed8d4f67c43013e5910f34c9053dfd51634bbdf123  CT_51.dcm
15da91f086372b26e49a40c606bf4516b33fab1ef4b60fa9e3a1661ca3c16c70  CT_52.dcm
19c0d69092c0093265a63ef85a5bbf1292561941c5cfd62aa02e05c9a7083496  CT_53.dcm
2c0c65534c5b8e9befc2a8f14466654066a5fe74c3d8dc41f260a294dda9b011  CT_54.dcm
d3234877903302d7335a9e8ca47b785c5398c59aa6853ee1867cce7066eebacd  CT_55.dcm
5bf9689663544a2f8ffae6a6e9f39da98ea7137fed0b70ff505d64b7d33aa5f2  CT_56.dcm
a59b28306867561496f8389d430d9a46fb3cd842ddf1fbc39ade6d6498f86666  CT_57.dcm
6eedcf3c9494baa45a1eef19af550087bef55ba584da202c29c7416860b43ea9  CT_58.dcm
e834a16106471249323e9562108de417a6f3aceced57209320ad3a448606b865  CT_59.dcm
64e3ce9d482d2d379aeb9d98a06ecae760fb8261558297b118db1ad6a472e5c6  CT_6.dcm
6e64f28378d98e4f8e31b1ce63ac09704b9f720a624c84e25e2e4fe8c4f1c94e  CT_60.dcm
71bfe489e0758660966bf1fd638689a3a88ff7cee853d66482cd6808118cdf03  CT_7.dcm
ff7b447db3367744a1d2d04b63de7baf5658bcb156b95995d9f2cb04e631ab4e  CT_8.dcm
b14c08a36613bcb651325b2f25e4035216d8953874fe139498f65e019f3f9853  CT_9.dcm
13a812a7d4e6d0f9abe9fd36d6646f56dedc3564627e96cdaaed007707c0e6a8  RD.dcm
51f67c9cfeb33ab68159b3bb6f3e160a43805e4883b682b05e14e09dc193e4c3  README.md
a45b3cd6fbf6dbb865044097745c96ba16c8feda9dd6b4cc4e7ff7bc058f7ffc  RP.dcm
239b3c56e2ce8358a562f69d8cd86a6d4476988189bf8dfc3842e2fee0e8a3f8  RS.dcm
848e2e1bef2b3998e49324eba69cdb91d8accce31a8d5bf9f9bdb97dd8ba736c  points.json
4c996a93e0729c2ceb4f0c0e9c9ebed65c10b1ba723ce55a5c6e85df9e048247  truth.json
SUMS
cd - >/dev/null
# the program reads a copy without the truth, as in the catalogue
rm -rf "$work/set" && cp -r fixtures/dicom/roi-without-contours "$work/set" && rm -f "$work/set/truth.json"

# 2. The tool, installed as the catalogue installed it.
python3 -m venv "$work/env"
"$work/env/bin/pip" install absl-py==2.5.1 asttokens==3.0.2 cloudpickle==3.1.3 comm==0.2.3 contourpy==1.3.3 cycler==0.12.1 executing==2.3.0 fonttools==4.69.1 h5py==3.16.0 imageio==2.38.2 importlib_resources==7.1.0 ipython==9.19.1 ipython_pygments_lexers==1.1.1 ipywidgets==8.1.9 itk==5.4.7 itk-core==5.4.7 itk-filtering==5.4.7 itk-io==5.4.7 itk-numerics==5.4.7 itk-registration==5.4.7 itk-segmentation==5.4.7 itk-strain==1.0.1 jedi==0.20.1 joblib==1.6.0 jupyterlab_widgets==3.0.17 kiwisolver==1.5.1 lazy-loader==0.6 llvmlite==0.50.0 matplotlib==3.11.2 matplotlib-inline==0.2.2 narwhals==2.29.0 networkx==3.6.1 nibabel==5.4.2 numba==0.68.1 numpy==2.4.6 packaging==26.4 pandas==3.1.1 parso==0.8.7 pexpect==4.9.0 pillow==13.0.0 prompt_toolkit==3.0.53 psutil==7.2.2 ptyprocess==0.7.0 pure_eval==0.2.4 pycerr==2.5.1 pydicom==3.0.2 pygments==2.21.0 pylibjpeg==2.1.0 pylibjpeg-libjpeg==2.5.0 pylibjpeg-openjpeg==2.6.0 pyparsing==3.3.3 python-dateutil==4.0.0 pywavelets==1.9.0 pyyaml==6.0.4 scikit-image==0.26.0 scikit-learn==1.9.1 scipy==1.17.1 shapely==2.2.0 simpleitk==2.5.7 stack-data==0.6.3 surface-distance-based-measures==0.1 threadpoolctl==3.8.0 tifffile==2026.3.3 traitlets==5.16.1 typing_extensions==4.16.0 tzdata==2026.6 wcwidth==0.9.5 widgetsnbextension==4.0.16

# 3. The call: the check program prints what the tool read, one JSON object.
"$work/env/bin/python" tool_manifests/pycerr/checks/import_dvh.py "$work/set" "$work/out"

# 4. Compare: what the fixture's truth gives, and what the catalogue observed.
#   rtstruct.roi_count: expected 6 (tolerance 0), observed 5
#   rtstruct.roi_names: expected ['BODY', 'Sphere', 'CylinderSI', 'CylinderAP', 'Cone', 'Empty'] (tolerance 0), observed ['BODY', 'Sphere', 'CylinderSI', 'CylinderAP', 'Cone']
