#!/bin/sh
# Reproduces, without rtcompat: F29 Several contour planes within one CT slice: the one with the most points is kept, not the nearest
# Tool: CERR v5.2-4904-g299446da on GNU Octave 7.3.0; check program tool_manifests/cerr/checks/import_dicom.m; fixture set 'ct-nonuniform-slices'.
# Run it from a checkout of the rtcompat repository (for the fixture files and the check program).
set -eu
work="${TMPDIR:-/tmp}/rtcompat-reproduce"
mkdir -p "$work/out"

# 1. The fixture files, checked by their sha256 (rtcompat fixtures build regenerates them).
cd fixtures/dicom/ct-nonuniform-slices
sha256sum -c <<'SUMS'
d5b8f97ba478a8524becddb7ad1ad62f131779b30aedd7cfd30e9c2d855cec4c  CT_1.dcm
50c49b96b717c7c82651017ba2aa0e384a83c2b94c662be54f8ee684221e0c74  CT_10.dcm
5167e7a39a55107483b955dda8897aea90b2e248cb376375ce64a9dbf5bd4f07  CT_11.dcm
0bc625a6902f9df41a9144e5055788532fbbee79304b099166ad9db94f70dd02  CT_12.dcm
891092d23eb2253c3e9e3325106f4563c76a7ba000e984c40cd50de3b23e5607  CT_13.dcm
6f037a44cc8b6ff5165fb62745e846d9b7ffb9f9bf29384c4e8b5f819c539fb7  CT_14.dcm
b9e31f62defb954d3b5648bedaff1f9ad57d64264fed570236f5f820639a265f  CT_15.dcm
25306272a6953081b02a6cb3d4d2a483df228cb4009aa768e1f5a251b4147f9b  CT_16.dcm
4dc637ad567777f1ca5fe867b6a9c5749aa878658bed9f96214a8b6449a6c05b  CT_17.dcm
47500951336e24aa7059fe389d0155a0f6cefe5404e20b0ac368942f11718d7f  CT_18.dcm
597968f53372f6f448f43dd10e79ee3e48698253980a8fab2d418b45f5e3a719  CT_19.dcm
190d3c4dee44e04e4898d8dad616f5b3f9230c1409e8a1c904afbb4918ece8b4  CT_2.dcm
1ff4bf02c37db8a89e90394302f4dce72750c7f4250a6a56ea659910692c70b3  CT_20.dcm
74c738a2ba77b9a723409865582de54c02e9e614086ac1da7182244c8beb52eb  CT_21.dcm
a4a03c97771ff7fce0559e64b09b1116f1167eaaff91204b9e9b1aade9b4d0d6  CT_22.dcm
866d9a28caad38b4ced19c8f2cb41cd49ea0b835805e3bb2991f02768beb06ce  CT_23.dcm
7bc5d0720395ecdaddea83ca14a7ad9fad3bf4beeb18e84371a29900830f352d  CT_24.dcm
bf70ac424328de7b86ddd8286b75178a6dcd818f4ef55fa8110cc368d0a7a3e8  CT_25.dcm
571514abcbf5de23582882c1de66f14f3d98e17b840e676425765eefc141dc10  CT_26.dcm
8ca6abf28c6c04f49090898162d33031ea8e22c8aaa9fd4247609ea924011f24  CT_27.dcm
7973c8116827b32a4bf35349e664bc51447c37df5835fc51519612877e27eb02  CT_28.dcm
68306f4b0be923058b828a9fa292758af749e369ba55c7125790015017d55f05  CT_29.dcm
167efacd585706813425a8ac8b137f86f0edd02df9337319482f74063b9a65e5  CT_3.dcm
9f5f1d755e85101331e94d96ff8940710e222bc886902ed955af98e2df0e17da  CT_30.dcm
320b801cfc830ce0bc463146c05fa7fb68b22d686b487424adcd1c208e2d2341  CT_31.dcm
82088384499386071286f363ed4fcbed1211879082b2b5a02a5aff0dcbb5c8f5  CT_32.dcm
d4c4491614146df62294533dccb61912a75baa8ca95a1e9385049b89a8463b97  CT_33.dcm
70dbcb60c6e2fd3d42348e354e3c7b2ecf60817b9b3c46dfd56d122ef1006e98  CT_34.dcm
6852c22e31ec7d621d446c717753d8ba8842f19cef14e52fb10f15e39604d34d  CT_35.dcm
84d95f9592fe6dcb9f537dbbe5dbbb7b04511b254f0097a1118703770d2028c9  CT_36.dcm
196283f42c5a1f43f6a48a32e18e4c9561dccfbdba1e7d5ac50b2e7ee2d60e43  CT_37.dcm
fec71406914a0227cb776324395a65cd2c55e4c07318d254dfde033bda1e79b7  CT_38.dcm
c58e0d09591681a48028eac51fa79a7c0be84f4d93790d2de594f0c95f947ff2  CT_39.dcm
37a9494e13603a5009651da63c5c0569cbebbdfa9534bf9a9b83e63dc30f73f0  CT_4.dcm
6295d0d271f78aa935264d89e66bad70617a91ac245df5b7aee3ff331c8f1a80  CT_40.dcm
2c29b22fc7d0ce9164610a20a5a40d245d7cf0378fa1a46eeca4c96e498d4c74  CT_41.dcm
e403c29e82c8f039f125b431492293574addc0c415c178b1cce73df345a79934  CT_42.dcm
755a5397be5091e282d25308ea01c143cd71460fb5ece70b7b9a32b870a4b3ce  CT_43.dcm
4dd81b1a10421f6f3c93a846f2715db5ac7740a0aa5acd68ead0c3b77fdb3d82  CT_44.dcm
499ac16de962d4524a28afb5ccc746a5091fcfebf22cfae7831ad5e5df3059a7  CT_45.dcm
63bac0a9911ed5a568924e612e40362aa9a17682b4333a7d558cabbbba3ee276  CT_46.dcm
55dcef19ed49122f3842e566a44c39114b4aad1270e745d6a002c34b3eb46fa3  CT_47.dcm
9b6d3f477f07a9278a34f98a09e4bc68236e46c8d6b935dc5b259623cccc6a9e  CT_48.dcm
b5427f914f6dc725517b67ac6f01b0da24375fd9cb85aee064521b31e55b7501  CT_49.dcm
38ad72990c67421b74288c79cced51e7b439f63671e57671351713579c5ad94e  CT_5.dcm
b8bf1a459c6180a66f85161f5343b098f3ff94355e4820f6755e2c5c17a5278e  CT_50.dcm
e29b2f5d2a82258823139402e4ced257b68a81511536c1d6220cda0d4068873a  CT_6.dcm
64f2aa6261d967a104eaccaedd005ba197c7d170a21ab744b605010069758166  CT_7.dcm
d1174cf2fb1ba52c0b72685f8b66356998e1e9cfa3a5ad1168b0a7c35bc23673  CT_8.dcm
4191b6a027ba6fe9649dce44f9b986459cc83a0752c29218c2809979f29e4da3  CT_9.dcm
f1459706e62dae9f321f038d0e1db0db265660048a41c76bd21a393bb7eb6b7d  RD.dcm
8b3d2843987d534fc239e9c58d179900204f22da03e725b80dfd7b5fb5eb2893  README.md
ca05f5baa5049793e9cec5163c7418d8d1bd8bd831f524282d46fc0a1907a5b3  RP.dcm
53d79bd261f16eadc176c11dbb1ce900f700127052ec07137bca137196f0b264  RS.dcm
848e2e1bef2b3998e49324eba69cdb91d8accce31a8d5bf9f9bdb97dd8ba736c  points.json
de845871e903dc68170d5e28fe97d4f2f9a2de1ef8b3bb8ebf515facaef003e0  truth.json
SUMS
cd - >/dev/null
# the program reads a copy without the truth, as in the catalogue
rm -rf "$work/set" && cp -r fixtures/dicom/ct-nonuniform-slices "$work/set" && rm -f "$work/set/truth.json"

# 2. The tool, installed as the catalogue installed it.
git clone https://github.com/cerr/CERR.git "$work/src"
git -C "$work/src" checkout 299446da0a55ac0b611c7132995682278dbf7b00
apt-get install -y octave octave-dicom octave-image openjdk-17-jre-headless  # as root

# 3. The call: the check program prints what the tool read, one JSON object.
octave-cli --norc --quiet --no-window-system tool_manifests/cerr/checks/import_dicom.m "$work/set" "$work/src"

# 4. Compare: what the fixture's truth gives, and what the catalogue observed.
#   rtstruct.roi.CylinderAP.volume_cc: expected 10.905024 cm3 (tolerance 2.7 %), observed 10.545000000000304 cm3
