#!/bin/sh
# Reproduces, without rtcompat: F18 The importer preselects the last RT Dose it lists: with beam doses beside the plan's, a beam's
# Tool: dicompyler 0.5.0 (main); check program tool_manifests/dicompyler/checks/open_patient.py; fixture set 'dose-summation-beam'.
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
git clone https://github.com/bastula/dicompyler.git "$work/src"
git -C "$work/src" checkout ffba3a83dbbc56ee3b10ca43abcf959fca4c962f
apt-get install -y python3-wxgtk4.0 python3-venv xvfb xauth imagemagick  # as root

# 3. The call: the check program prints what the tool read, one JSON object.
xvfb-run -a -s '-screen 0 1280x1024x24' python3 tool_manifests/dicompyler/checks/open_patient.py "$work/set" "$work/out"

# 4. Compare: what the fixture's truth gives, and what the catalogue observed.
#   dvh.Sphere.D99_gy: expected 60.624151 Gy (tolerance 0.23 Gy), observed 15.11 Gy
#   dvh.Sphere.D95_gy: expected 61.755157 Gy (tolerance 0.07 Gy), observed 15.43 Gy
#   dvh.Sphere.D50_gy: expected 67.15 Gy (tolerance 0.05 Gy), observed 16.78 Gy
#   dvh.Sphere.D5_gy: expected 72.544843 Gy (tolerance 0.06 Gy), observed 18.13 Gy
#   dvh.Sphere.D1_gy: expected 73.675849 Gy (tolerance 0.1 Gy), observed 18.41 Gy
#   dvh.Sphere.V63gy_pct: expected 87.661847 % (tolerance 0.32 percentage points), observed not reported
#   dvh.Sphere.V67gy_pct: expected 51.520617 % (tolerance 0.57 percentage points), observed not reported
#   dvh.Sphere.V71gy_pct: expected 14.490016 % (tolerance 0.72 percentage points), observed not reported
#   dvh.CylinderSI.D99_gy: expected 64.984068 Gy (tolerance 0.29 Gy), observed 16.18 Gy
#   dvh.CylinderSI.D95_gy: expected 66.739624 Gy (tolerance 0.27 Gy), observed 16.61 Gy
#   dvh.CylinderSI.D50_gy: expected 73.45 Gy (tolerance 0.35 Gy), observed 18.28 Gy
#   dvh.CylinderSI.D5_gy: expected 80.160376 Gy (tolerance 0.37 Gy), observed 19.93 Gy
#   dvh.CylinderSI.D1_gy: expected 81.915932 Gy (tolerance 0.32 Gy), observed 20.41 Gy
#   dvh.CylinderSI.V68gy_pct: expected 89.87191 % (tolerance 1.3 percentage points), observed not reported
#   dvh.CylinderSI.V73gy_pct: expected 53.75 % (tolerance 2.37 percentage points), observed not reported
#   dvh.CylinderSI.V79gy_pct: expected 9.650254 % (tolerance 1.46 percentage points), observed not reported
#   dvh.CylinderAP.D99_gy: expected 78.558877 Gy (tolerance 0.27 Gy), observed 19.68 Gy
#   dvh.CylinderAP.D95_gy: expected 80.135126 Gy (tolerance 0.26 Gy), observed 20.03 Gy
#   dvh.CylinderAP.D50_gy: expected 86.25 Gy (tolerance 0.2 Gy), observed 21.61 Gy
#   dvh.CylinderAP.D5_gy: expected 92.364874 Gy (tolerance 0.19 Gy), observed 23.11 Gy
#   dvh.CylinderAP.D1_gy: expected 93.941123 Gy (tolerance 0.21 Gy), observed 23.53 Gy
#   dvh.CylinderAP.V82gy_pct: expected 85.131155 % (tolerance 1.51 percentage points), observed not reported
#   dvh.CylinderAP.V86gy_pct: expected 52.228634 % (tolerance 1.86 percentage points), observed not reported
#   dvh.CylinderAP.V91gy_pct: expected 11.639106 % (tolerance 1.13 percentage points), observed not reported
#   dvh.Cone.D99_gy: expected 70.861427 Gy (tolerance 0.34 Gy), observed 17.78 Gy
#   dvh.Cone.D95_gy: expected 72.573483 Gy (tolerance 0.18 Gy), observed 18.18 Gy
#   dvh.Cone.D50_gy: expected 77.458042 Gy (tolerance 0.2 Gy), observed 19.33 Gy
#   dvh.Cone.D5_gy: expected 82.143838 Gy (tolerance 0.32 Gy), observed 20.48 Gy
#   dvh.Cone.D1_gy: expected 83.420986 Gy (tolerance 0.43 Gy), observed 20.76 Gy
#   dvh.Cone.V73gy_pct: expected 93.28244 % (tolerance 0.78 percentage points), observed not reported
#   dvh.Cone.V77gy_pct: expected 56.172881 % (tolerance 2.63 percentage points), observed not reported
#   dvh.Cone.V81gy_pct: expected 11.723077 % (tolerance 2.17 percentage points), observed not reported
