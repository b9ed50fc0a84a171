#!/bin/sh
# Reproduces, without rtcompat: F12 RT Doses referencing a beam stop the import (a sequence compared with 0)
# Tool: pyCERR 2.5.1; check program tool_manifests/pycerr/checks/import_dvh.py; fixture set 'dose-summation-beam'.
# Run it from a checkout of the rtcompat repository (for the fixture files and the check program).
set -eu
work="${TMPDIR:-/tmp}/rtcompat-reproduce"
mkdir -p "$work/out"

# 1. The fixture files, checked by their sha256 (rtcompat fixtures build regenerates them).
cd fixtures/dicom/dose-summation-beam
sha256sum -c <<'SUMS'
21dd0cbc1393d89d2c7434ac17116e377f7cfe1e73fb950185c1e77d5ddfac74  CT_1.dcm
7a6ac3209af4d52a3c9e26847a2c0cdd81a172624e42b49628a97ebe2e63b586  CT_10.dcm
b8eaa157557d7284c8b3307fada8c733f6c37fc92e6759d3a2f1053d85bc151b  CT_11.dcm
bbd0ea27c058a4b2f2aaeb2077e891c6cbe48300188af6073bd28e2e6e262356  CT_12.dcm
a603f2a7f92a506e2cfc9e27d7b60efcfa274338b00a469cde348992259457d4  CT_13.dcm
d37ee810e19305f176092cb9b2921c26f29d4e8442cfe74046bb6d52b1a71660  CT_14.dcm
3c55a5f77b395db6139f9ceb3927a7b762a01206ea35fda2e66c47ddd91ca352  CT_15.dcm
a1cab3ddbcd85377be375286ad194b1e5722186688f4fc5ba04e2b4fcb246c3a  CT_16.dcm
7e756dc0743bbbe06d60f62df7ee5bb186b8563c408c21acd6b9329324b43c80  CT_17.dcm
6b267488c2f2bc091e7052136dfc0690a31bf3a7e8db587e440a7bacd7459113  CT_18.dcm
5a83bd21f05932d27abc766e74d12cd6c6003040a37c29faae96518504c95fee  CT_19.dcm
190b42442dbf9c8a70b20fdb8e39eb4729a2605712edfb74378dd9b64696f123  CT_2.dcm
72575d9203e1d1a05226708d7f012b7308aeeb06a50638e6ddc08472c49a11ce  CT_20.dcm
dcdb2dd8deb02e4568384fc68325790cdd2fcda29948a367292ed28a1a3aab8f  CT_21.dcm
f3b64474eda4e4a1597547f1e3e00d23d590235d2b5a0fac1e5440f9f9e16b78  CT_22.dcm
e34fb30a295e0e76510041d5a59fcf1d0c459f330695ee0115ddd7103c1826c1  CT_23.dcm
665899ebe74cde61cf0c1b719faefcda66c000c09c79658d4e1ebb6bfd5b1180  CT_24.dcm
02378939a033f7d55b98f14f64266567c95d6a45c1cf70924586afd1161f0a74  CT_25.dcm
81e46c00991210068dac07605748e5302c31be2d86f8dbe53c2814a0d87e834d  CT_26.dcm
4fb54e875d0c230a551584dd5faf822473031cb0172423dc7ef7138a170a3245  CT_27.dcm
7adadd30153cb399264897f24614643dbc5f22fb6ba81086e4c664bc4052797d  CT_28.dcm
2e9f05b4b210b602bc49f66e2623a27d7b28b99206f54b8cba5619697d74a27e  CT_29.dcm
20311ca82140f65caa797e1dd986114e7baecb34233ff0d7594912e0bc0ee0a8  CT_3.dcm
93cce5bfab61b99753ad54d85ba4b269f8b232284b2d326cae5e5f0b85a27dc9  CT_30.dcm
ffff6b2c76338e913ceb678bb7ef7f98a662b115f4bc9d08e9123edf7a817fd3  CT_31.dcm
eca50699144fde8ba1ebf949d01bf71788831ccf94429c7537a64208ca4909b9  CT_32.dcm
124eb917411264823c8f4066f08d35f8c711854d88b665a8657737b230eb4484  CT_33.dcm
97cb0a0eb1ab30b789e28593e1cdc377b86a2f4a43ebc82075f53e945afdb64f  CT_34.dcm
685f39a7860d3cdd0285dfdfacd86590478092144928f514a4896695ed467f63  CT_35.dcm
b4481a3adc6c2f4ae0fded28bcad344c665093d868276b0c319cd601819fa639  CT_36.dcm
fb51d230311bde84e77b26984466c712180c01cc58572583c36ed5c69117cf4e  CT_37.dcm
6f24b047bbe7eac98b2497b99b47eff87373aed504f1e557d5f950f1e131660e  CT_38.dcm
f3bb08137c2f78509d54e59abe746284e541f2727cf56a3063d190d36151e776  CT_39.dcm
c034dc791ffb2966f0e1edfb11411194075c3282214b557d9b614d3ea5721d98  CT_4.dcm
bcde4e83e769c8212da2c211b181373910e9a3413652e7f6d0ff82857ba957c5  CT_40.dcm
c0ed01965722eb601a48783bd83644c86f8c1ed4a623f97d8b7efe8cdd401a03  CT_41.dcm
823b115ae1d8ba2b61421b2f9964c1961d9c18f64d1529fe981f9bbca504ccff  CT_42.dcm
f69d4fb96a4ba18f399ac0f22f010d7c412b738f315e34b88f43b1a9c5493982  CT_43.dcm
e0636865bf279774944369c057b13aa4d4b48416d5c0a1ad694088b7c7175174  CT_44.dcm
796340d7a51f3ebaa1475ee521384f9bd54cd11ecb75132cb13d8b336bdc06f4  CT_45.dcm
52985622592cd26fb1c0820c883cf0688c116a0794fb614b7267fc54c61937ee  CT_46.dcm
629befc86ea3f2bcf50e4cc51e7703038795543249bc5e58153cd591645f4e53  CT_47.dcm
7c049ee0c07a1f8d3913ad140aae29e7a57606b449a469b13224712fcc84bb2e  CT_48.dcm
092891c853f4a4670267f4e0b125aecb5b65c8502eb13e09b042718029f5a961  CT_49.dcm
df4d1cc6b6c4aa5edf672372d306558460da7bea591091bbec2e09d066738d0d  CT_5.dcm
52b233b869d048958b2c08080be114a63115eccefcc0a415ca7f7c8a7dc1e563  CT_50.dcm
2e1a0fa274da2b85c0232b89fb40d89b46dc9b6e017e7160109322ead8dd2ded  CT_51.dcm
31715b31d421928a1f0d41eabe4a861a18baf28e2fa93cb49df7943c5fe83b66  CT_52.dcm
dcb7b3598d7274caab264f0e3b13bf899325808f3fcbcc7e0056281351dd2ffc  CT_53.dcm
c6f0e2cff804ed5fe2f06995ecc86afbe0186f89a68001b21f179e37fed6ebd9  CT_54.dcm
c62387d9ab007db7f6783623838f58699b276ec86030a7a4b3a5d12468f6e8b9  CT_55.dcm
5c65acfd0728b576d3291c152b507cf42c8b200af294504282e04f9d1cc18d53  CT_56.dcm
2cb68e3d4f86da2b1c3e61de8fb983645c849a65b076265968ef347a45e3919c  CT_57.dcm
7521fda5c9ec06ca2d59d7a36864550045ceb99790640c54e8c9f94515654d6a  CT_58.dcm
a4079608cbc457143b480c93ceba6b321f8b0f8cda6bb570f6fb4df1a3744922  CT_59.dcm
8073e248dfcb75a3eedf7304b3a5be2fb992796d78ede34c37095da53b355f3c  CT_6.dcm
269a8415e4eaae0ea5ee4b1c7767c7faeb1864d2ea0366ac55c346b06618939b  CT_60.dcm
f84ef6297ab1138c2c69115ad77045e5ee5cab05c113c58409527659dd03d88d  CT_7.dcm
35bbe9e4943556051fabf1692ecac0ec88ee149e2b038c19eb568c01f00418d0  CT_8.dcm
0f7549b6139287f500cef2610d6b74909da481528880e296accf16e46d4195d3  CT_9.dcm
b1b5eb662fe2947f76070c2c91d652889bf8df46a5136634e6944bae36d51dad  RD-BEAM1.dcm
ac4839af5afa3744b46a60acff7b5edc084b585534bade5a6291c5dd87598ea1  RD-BEAM2.dcm
f8862a0f3196286ba0f5e46a331b814e548ace96f7cd37dd8d0f64b89bf9b3b0  RD-BEAM3.dcm
c927e0c449c60974a7830d1561d7cb7d5c64d0ce3528ee965326e6338ac7b085  RD-BEAM4.dcm
40d939e5a103ebb532e017f1fe1bdc9406f02afc901817a28d3ad26a23666263  RD.dcm
c7d76d3fb36203dbdb1d0eb71e357dcf336543325734644adca0350d1db338f2  README.md
bd1a6ff7136817764e943cd87e435bbf2183cf7cf0ac53d5dcfac8e74164ea47  RP.dcm
3bfdb24c2addf7dfba6a1afb6ef08077389a11bba6b8d189f69ed042e2ece00c  RS.dcm
848e2e1bef2b3998e49324eba69cdb91d8accce31a8d5bf9f9bdb97dd8ba736c  points.json
36f9ed94f202cc792ae98d2ae9070ce9f1b2435ec22b8b574293928012a8c840  truth.json
SUMS
cd - >/dev/null
# the program reads a copy without the truth, as in the catalogue
rm -rf "$work/set" && cp -r fixtures/dicom/dose-summation-beam "$work/set" && rm -f "$work/set/truth.json"

# 2. The tool, installed as the catalogue installed it.
python3 -m venv "$work/env"
"$work/env/bin/pip" install absl-py==2.5.1 asttokens==3.0.2 cloudpickle==3.1.3 comm==0.2.3 contourpy==1.3.3 cycler==0.12.1 executing==2.3.0 fonttools==4.69.1 h5py==3.16.0 imageio==2.38.2 importlib_resources==7.1.0 ipython==9.19.1 ipython_pygments_lexers==1.1.1 ipywidgets==8.1.9 itk==5.4.7 itk-core==5.4.7 itk-filtering==5.4.7 itk-io==5.4.7 itk-numerics==5.4.7 itk-registration==5.4.7 itk-segmentation==5.4.7 itk-strain==1.0.1 jedi==0.20.1 joblib==1.6.0 jupyterlab_widgets==3.0.17 kiwisolver==1.5.1 lazy-loader==0.6 llvmlite==0.50.0 matplotlib==3.11.2 matplotlib-inline==0.2.2 narwhals==2.29.0 networkx==3.6.1 nibabel==5.4.2 numba==0.68.1 numpy==2.4.6 packaging==26.4 pandas==3.1.1 parso==0.8.7 pexpect==4.9.0 pillow==13.0.0 prompt_toolkit==3.0.53 psutil==7.2.2 ptyprocess==0.7.0 pure_eval==0.2.4 pycerr==2.5.1 pydicom==3.0.2 pygments==2.21.0 pylibjpeg==2.1.0 pylibjpeg-libjpeg==2.5.0 pylibjpeg-openjpeg==2.6.0 pyparsing==3.3.3 python-dateutil==4.0.0 pywavelets==1.9.0 pyyaml==6.0.4 scikit-image==0.26.0 scikit-learn==1.9.1 scipy==1.17.1 shapely==2.2.0 simpleitk==2.5.7 stack-data==0.6.3 surface-distance-based-measures==0.1 threadpoolctl==3.8.0 tifffile==2026.3.3 traitlets==5.16.1 typing_extensions==4.16.0 tzdata==2026.6 wcwidth==0.9.5 widgetsnbextension==4.0.16

# 3. The call: the check program prints what the tool read, one JSON object.
"$work/env/bin/python" tool_manifests/pycerr/checks/import_dvh.py "$work/set" "$work/out"

# 4. Compare: what the fixture's truth gives, and what the catalogue observed.
#   dose.pixel_spacing_mm: expected [2.5, 3.0] mm (tolerance 0.001 mm), observed not reported
#   dose.origin_mm: expected [-67.2, -61.3, -60.3] mm (tolerance 0.001 mm), observed not reported
#   dose.orientation: expected [1.0, 0.0, 0.0, 0.0, 1.0, 0.0] (tolerance 1e-06), observed not reported
#   dose.size_voxels: expected [50, 46, 61] voxels (tolerance 0 voxels), observed not reported
#   dose.units: expected 'GY' (tolerance 0), observed not reported
#   dose.max_gy: expected 136.05 Gy (tolerance 0.01 Gy), observed not reported
#   dose.min_gy: expected 9.45 Gy (tolerance 0.01 Gy), observed not reported
#   dose.at.origin_gy: expected 70.0 Gy (tolerance 0.01 Gy), observed not reported
#   dose.at.sphere_centre_gy: expected 67.15 Gy (tolerance 0.01 Gy), observed not reported
#   dose.at.cylindersi_centre_gy: expected 73.45 Gy (tolerance 0.01 Gy), observed not reported
#   dose.at.cylinderap_centre_gy: expected 86.25 Gy (tolerance 0.01 Gy), observed not reported
#   dose.at.cone_centre_gy: expected 74.45 Gy (tolerance 0.01 Gy), observed not reported
#   dose.at.cone_apex_gy: expected 68.45 Gy (tolerance 0.01 Gy), observed not reported
#   dose.at.offgrid_gy: expected 82.4 Gy (tolerance 0.01 Gy), observed not reported
#   dose.at.first_ct_slice_gy: expected 40.5 Gy (tolerance 0.01 Gy), observed not reported
