#!/bin/sh
# Reproduces, without rtcompat: F11 Absolute GridFrameOffsetVector stops the dose import
# Tool: pyCERR 2.5.1; check program tool_manifests/pycerr/checks/import_dvh.py; fixture set 'dose-absolute-offsets'.
# Run it from a checkout of the rtcompat repository (for the fixture files and the check program).
set -eu
work="${TMPDIR:-/tmp}/rtcompat-reproduce"
mkdir -p "$work/out"

# 1. The fixture files, checked by their sha256 (rtcompat fixtures build regenerates them).
cd fixtures/dicom/dose-absolute-offsets
sha256sum -c <<'SUMS'
4791d6eddb8522d53181bc88f7775603519d3f850692e45928154e677789ec28  CT_1.dcm
14c81f7ae8a894546e095ca14d04cc31db6aefc00ebf329115a01f8be15492e7  CT_10.dcm
9089bd31d9ca0c96a03e4529ce709834ec4f8a74e5b248b0612048ff0b0127f3  CT_11.dcm
b3e5e9b0358e39ef931c5d52b2de8699e8d0069ead779a64fc009c868eac1fdc  CT_12.dcm
6d497f4d9c0ff9c15293c8038bb3f70ba6bd1876e20946ab7335a188ac8cae59  CT_13.dcm
3f353ebe973db012a078254020238e0bd7954e8280676c9ca3bd0401787b7e5b  CT_14.dcm
8b5ccceff23b8c151c5bbc6cce07ddfc058c609f75748758a43fe1d48a8a94e0  CT_15.dcm
fb2ead37ec01441cf595d6aa2efbb9a9252793ee62d8abd31ce6499b69e302da  CT_16.dcm
cd2b307db6993d698bcaa540a80cf05861c94b93c978265cc91a3532a5d96241  CT_17.dcm
1d2f8375338cc68c132849247dd85b42f00d6e63b1b03077c22de77992a05f3b  CT_18.dcm
23f91a00096a74dc2b26a7e6eebb9cfcc19fb947ab6d7dea6afd6b25122e244a  CT_19.dcm
5a88b3ece82bf562433fbf6f291c9ef068c4c243bbf29086604544c30659a56f  CT_2.dcm
ec2dc8fe832efb8333d93b98975ff9c11e1968786d97c7681fee1974dcaa46cf  CT_20.dcm
0033e06ae404dc22cd785667e633994212958ff232dcd2f24f3f9f4b2006dda2  CT_21.dcm
74adec5fa3f2feb55250ef59fd99f7e23ea19ae236372a19be40e58b5fa3d9a9  CT_22.dcm
aeb84430379c6e82d44b4fb95c8dc175945e38e5070da280b3794a55dbf31749  CT_23.dcm
e852b618db0f7f95bed47a72602ffb2d4b700ca6817d7f7137220d8fd1346344  CT_24.dcm
c828b7cd19579b638f364b56c788e4c36ebd899087d0e2c683dd5bc3ccf77038  CT_25.dcm
edb62ee248cc51282059e1d46e745097778cb3fc377a3dd3e0fda6b65027d1fb  CT_26.dcm
25630d0dec8cb9591452783e7cdc2ac42a05c92eb202ef9b2a254b82983296c6  CT_27.dcm
0d19f2c0af4a1ee9c97cab4d787f27687c7ba596be23479aac1e37af912c0bbb  CT_28.dcm
000c66becec4c7c1ec0856f62333a9d6500258583cdb689b7fc0f4d86cbafb35  CT_29.dcm
a226749c6115abbf7f14a3113923d591b1f50a087b3051b07b1a296688abb32c  CT_3.dcm
6923da8f97d386f32972bd8d493e6e355637db73f65793aa0bd219c5f24023ba  CT_30.dcm
e3c4eaa83170786ace23f385cf69e9a5ebf76e772217137eae3ab1e0ca27b25f  CT_31.dcm
3bde6b558f0f8f62b09dcb069dc08440e138ac7cd39983805daceb22191089a3  CT_32.dcm
4c78a4b85e114d1a48c296819192741978fe963ac9dca692d10456945363b946  CT_33.dcm
c6c51b1548ef7005caee7dc7029c06dd3b9dbfdc7a05a2b0b03e20f43926412a  CT_34.dcm
39855cc2f094335faaa3a15764b42fed84a225fb2f8aeb005b29cd3f8628dd83  CT_35.dcm
1c13051b7cced40d17e847e38cc147c0e747b42cdef0dad31cda43bf8eff5f61  CT_36.dcm
86351635e158c1d9d823159e8943b0162660b0b306135b6c0640958a2bdb2b46  CT_37.dcm
d9f4eb8be0f2afe571e48b5dc4824782d0b0f4ec9237447763889e2059b1b02c  CT_38.dcm
d48db00bb7a5a0ebf0d878caa884cecd072d92e78730ca480c2cbf1597802834  CT_39.dcm
c24b334c465c3a394e5a9123b7413bb482062ee319fa49bbe77519dbeab7bc14  CT_4.dcm
e5079d56577b73e1bddd71bf9491c6464505024cef30689d4702dd5ee006088e  CT_40.dcm
2712135b200f7b7c3ef90e6cfa8f517198701972fd7384c4c3b143c2a620a024  CT_41.dcm
7e05b272e7d780e92ac660a4a3b2e674ab4eaa6575b78738e07538b7115f4237  CT_42.dcm
040d9d34ef98841ba92e5bd723d94cdf91497ac6a8a0d8d0b8981795987d87d0  CT_43.dcm
db1c97518d5bea0249b95951b05b5485d9078967df2c6174e4fa9aba78643532  CT_44.dcm
851151fa0891dc738aead0de2abc2213e32d06d3578c21570fe858485e4e870d  CT_45.dcm
0a1e9868869dc1874b2d97f8e8d5b5e0ae299ebb1b7a620af8925c477a9ec47c  CT_46.dcm
3ccd82a625d8bcf7f8172a4aad85e3cbc27daaa12082c2ebf9d21cb8caa4c8ec  CT_47.dcm
87732d12bc7130811311c6e2b52979cafaebc8c3dae5db841c6f4d00de9425fa  CT_48.dcm
03710885491e3acdabac0b3478874c4f9953c5bb17eaef9b656a8289476492a6  CT_49.dcm
52a0afb5e0a681775d8563ba1e6ed64a26c8851f5cc35de6d0552e6ec5370f8a  CT_5.dcm
2104566dc0d6fd9cd94a69c6bb4c6bc50f6d98a2f89ddb324582aafd5ea18e94  CT_50.dcm
eda6a89249723e4a87de8e238ad3f6dfb40df3a78709fed17bb6d7c29c01c8ef  CT_51.dcm
726f64ea7697dd9edb70cc07ea368e44c9b0e06aa7355d1ee3402e9b76f1881c  CT_52.dcm
514fbd97530699927430d999bae5b56e8a51f2b004581a078513c2aa8440f7e4  CT_53.dcm
58d42c8bc3653e7d3ad6c07387a5c8b40a38e2769e252a34fc86886c5f7ced53  CT_54.dcm
86c8210d38d5757b63a41596c0cb2d5887ca9a86d7c1061f819084cedded7105  CT_55.dcm
94b5546d21a57191bcedafe25e574af709777c37ca1c4b2200fa417d27db3651  CT_56.dcm
40e242aa4e2e345b0e47a19c582e79642a5e069a0fedc8457a62a12aaffc4063  CT_57.dcm
7c0aa1bd8985a23cad27a11887af89d8490c349d94308b8e6b9d006354c82607  CT_58.dcm
7cca4c279f2ceafce64e88e74c3112f043d225eef248b20d62710d753fd4f37c  CT_59.dcm
a1311a94cf58cd5fce4e63a2d98a7aab4d9afae07b376625ba25a9f6439bf081  CT_6.dcm
24664fccd482431749847b91ba2ccf51621e57a60b0c7fea8da6fc709217b446  CT_60.dcm
7b2baa41d7b5001cd0e9d6fd21718039d84a251fba28edcdd587d2844f3104f9  CT_7.dcm
097370d435bd92b441e2ce1f614c99de44acdc74fa1fed4452651adfa40095fd  CT_8.dcm
32ead1725c2dd53470201d01a2ffd12e72628bbe4e6e3e8f332298c2e7019fb6  CT_9.dcm
fbdd25cc24f0c67f4ec0f05c377bd863103b84f1e0092c65176f21f549011e1b  RD.dcm
617fa467be2e3db0fd4b9e2bd0eb1eb7f9bbdea8c4c0cf688f77b150c526bdd8  README.md
2fa31a5a1afa70637c002e9699884afcc2dfceb9271539ca03f354d32877d84f  RP.dcm
ee9ed719cd80bf56ca2c1e09e800ffefb2adbb9336e021734d81d562ec9ba4b9  RS.dcm
848e2e1bef2b3998e49324eba69cdb91d8accce31a8d5bf9f9bdb97dd8ba736c  points.json
4f0ff1554f745e6a82ae3f792467584615106fef5cceb9741ef51c02715aa4bd  truth.json
SUMS
cd - >/dev/null
# the program reads a copy without the truth, as in the catalogue
rm -rf "$work/set" && cp -r fixtures/dicom/dose-absolute-offsets "$work/set" && rm -f "$work/set/truth.json"

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
