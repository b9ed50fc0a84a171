#!/bin/sh
# Reproduces, without rtcompat: F1 Structure set import fails without the optional RTReferencedStudySequence
# Tool: matRad v3.2.2-10-gc014dc82 on GNU Octave 7.3.0; check program tool_manifests/matrad/checks/import_ct_rtstruct.m; fixture set 'references-missing'.
# Run it from a checkout of the rtcompat repository (for the fixture files and the check program).
set -eu
work="${TMPDIR:-/tmp}/rtcompat-reproduce"
mkdir -p "$work/out"

# 1. The fixture files, checked by their sha256 (rtcompat fixtures build regenerates them).
cd fixtures/dicom/references-missing
sha256sum -c <<'SUMS'
5ba2c5b8ddf3eb1ad0abeb8b89eaa46ed74fdde9cdb05225b941df20974f3b83  CT_1.dcm
85048f677f84494ddeddc05f3e69df8fd2e23a6a9f3e4a91ac3e75d527da319f  CT_10.dcm
7fdb9264ff0b30d45b6680c5266a7ef58ecf3fad670b377a52defb02c8f678ad  CT_11.dcm
7de0ac5be4e0c32452ad8f464e7f7b3c4e7a37c78732030656a09aeaf7449605  CT_12.dcm
a0d6cf0684e36b4a3adbc47869adda8dbf3da85ea7345ffae3629101e768a6b6  CT_13.dcm
a928fc730195a15201f47912e4526d76d0cf222f2157101237c13f4149e1906f  CT_14.dcm
74e6e1f4e318e05e640255937b2fa80071dcb0f20518c45de9a80cf40e1ae01a  CT_15.dcm
2ac394abd30a786add2bace31100d17ee398d101967b829d745e704cf7261756  CT_16.dcm
c067db73e2c6774f403d5ee20c9d56987824225edce89b9dba8aed46776e0c16  CT_17.dcm
e1c19ada9cbc125717eb48754313b83132dd2ad156366ce766ceccdc46dab1c0  CT_18.dcm
058afe10b9502cdcba0fdfe5c338624c1e6810dee1d54c801525fc1cf4c97592  CT_19.dcm
2121ad3209a53a3fbe67400c5639b7bc0e67edff6e036869419ddbce9acedb8b  CT_2.dcm
dda00b21188b982fed9e45c495639eb430089ac7469b378c3de5b9884b6464c2  CT_20.dcm
e5c9a322290c6dfc8903aa256a85401c8bf94d80b9169ca92b56375119e8f88f  CT_21.dcm
664baac5278575034f93a95ceceb095070531abdcdede0d8adebb9663416c0a1  CT_22.dcm
1df759d6394eebb575af08b131093f60268f780da6e1a06754e99ea57484f5af  CT_23.dcm
51a13465c2c9f00793e826ddd22e59f5169aeb6d4572c5d332473e71bafdf983  CT_24.dcm
ce6be447592675d94554d9996f64d978597f2144f76746b2b05ff1076415146f  CT_25.dcm
85bac1c95274eb2dbb1e2bea3eb9b33740b03f805107f770507e505a1867bebe  CT_26.dcm
71c259f3974291f211aa7ac9fabb980744bad100d1d8e3804dc7d694aaa19c16  CT_27.dcm
885c5c184efd6445bebc6db72cec61590bb20b92fc707af3458ef19d8185dc5f  CT_28.dcm
b5e8f6cc4aa52b528d7ae4d36c8e1423b0f84299444c97e56a559433af0d2561  CT_29.dcm
b909dd5524f256aa3abe9800e10cfaaed4aa448f4386d19d40f1712dfea04219  CT_3.dcm
673074209b477b41ed623aa18f006af0a357786daf3a275fb2a35bd4e1078abc  CT_30.dcm
051350b48d75aed967fe5350a3ebd633eb1dad784f449f5d0fcdb88154477b2f  CT_31.dcm
f90bef6856a6e6ffa7f57367dc93c41d463857c996003fbb1743ac84d00b5fb2  CT_32.dcm
d514330ba6eec087655bedf1a9556a668e6686031b9f1462d17adc7bf791a45e  CT_33.dcm
45b2e5e47e5cad7ffd8a07eb2f8ab6b373be50ec3e6816f183e48dd471227e42  CT_34.dcm
c72878e03aebf228dd0c45726c305ec92c0d405a009293d472fb445e79154d1f  CT_35.dcm
baf52e9aa9efe414e9970e58b653ae803483ef3b8fc7f711a8c7e18506549e00  CT_36.dcm
b6cd2c29c1aea9fe0b1df42a00f11e9ba974d1dbd6b0bd5fc7d24bf468756df6  CT_37.dcm
f606134ab04b1e7d9ae6cfbd725d52b23b6ca5747234097ec8ef4c9527fa6225  CT_38.dcm
c41ebd771b7880d5193fd89e3f8ff7056350cbed137360bb39c17f4f0fce4e8f  CT_39.dcm
04046e76bfc933c3ffc3a06e695ebe0f316de964fa144310b03cd920c6d70d9f  CT_4.dcm
12ef6f4b3c2aac6e1a9de3f7603064ac543d4a6ac0135188554b788a68b87934  CT_40.dcm
b946097c767be0d0853d3cfb7f012f1b8c0b5540c81682db97c8084cb3f3324f  CT_41.dcm
680d674dae4544d361e5b8f5e5dc97aa8f46ec2367d8c86d55573824b54ffa90  CT_42.dcm
f9c9d6dfd3cda1249d20a87adf92a918a1c51cbb4ba57a82e2eea2b7fc8e34a3  CT_43.dcm
3cf9b45c540d3b1f6d505e0f6d923ef49c9672ea2ecf5acb84bed4303579f19e  CT_44.dcm
121985c74856eb52c73055a88a909f96d5c87241681cfd958d1a2701e0d543c5  CT_45.dcm
4c245457d4603d60b34b1f47377a42becac07fadd1d45c4fc5f48220957ec88c  CT_46.dcm
fe12051091ceaab27e85649104641df0a0c672a01e638535e0913dd87eb84256  CT_47.dcm
c94babe3cb6fc23d4e71d6c58aed572c2d6035fde6f1beabac080e0321723101  CT_48.dcm
bad759e1e40b1624327de6f03683fd89f27972009b6c6246abf784fef537e0fa  CT_49.dcm
6b46696001f2b303c9c77d578cd516d3ad849974e0e6961c6e6a73e19bee9bec  CT_5.dcm
80ed0f3d0c2aeca18cf9b4ccd360dc736f8ca53dbafe1e42dc41e3c999915a5a  CT_50.dcm
3fbb25817174cd4af41d4870d89795997f62f9f51372e9a28416f245e541997c  CT_51.dcm
ab536ae7cb1b9128310d8182cbc157579b0c8dec77d9f64640b78a85d3decdcb  CT_52.dcm
78cc2c29f803610a8f554167c18736088b13fdeeea9bff68c9c308f258d736c9  CT_53.dcm
6883ef780a6285ac2f57d8ebb14a7e78fe006a4e233c7192b24eca7843e001c3  CT_54.dcm
d342e9f784ce2e748e5c47042ee21b1aad979abf8d0c46fda37d5ba4cd02d268  CT_55.dcm
24870dab19088422a7076c0aff8fe161749aa432a98f80ff4af65333e01dc586  CT_56.dcm
5f7be0f37574f3c08cebd94fe9b189bd37fb4404024a30300192c27cc1ed8cc3  CT_57.dcm
95d37e53f1bce5cbe02318ec6685e18f012e9c2767ed206fa425f5e9eaec1f17  CT_58.dcm
7075a8da0600293df5847daa5bde7ae4324b7d6ae59a4253dc7702ca077282da  CT_59.dcm
fd5e0040705d191d4cec6a8ed8bd59a32802c71d2d26fc879b7c7819d0c03b4e  CT_6.dcm
85de046d2cbb4c4ddd64fd5f153afcc90d09a4ec059c75c0ea907aeb3fe70818  CT_60.dcm
88ddc2f954046350e27902d1ffe6777a4fc1f3e62503704abba18d6491171fec  CT_7.dcm
f72dec51fa5209e64c10b7e450309a4d5e49385973644c0f27caa1951b30e835  CT_8.dcm
c598ca44d95dad09c99f57c0c748d7965cd99c0c0ab5e8a291d4e33f88ede6e3  CT_9.dcm
5a49afe080718aa83bc1b133a7ad527ab55d6afbd5a65c5bf3665b8343dd61d9  RD.dcm
0bd061cc2c76fdf6090d75f9e6bf5d2f701ed4db7f55cb9684449cc0e2ff0b0d  README.md
1d89d8fd89e32366f619a8292eb62d2503c768c899297b54e36976ada9ea2199  RP.dcm
7433ed2f5253b5e4c7e0aa9d1370ee72cbeb357a4e277add45e0fe47b85b5280  RS.dcm
848e2e1bef2b3998e49324eba69cdb91d8accce31a8d5bf9f9bdb97dd8ba736c  points.json
4a2c276e9879e6fdbd36d3fdb063b1d73baef12ca977ebd7628fd6d23b7a4166  truth.json
SUMS
cd - >/dev/null
# the program reads a copy without the truth, as in the catalogue
rm -rf "$work/set" && cp -r fixtures/dicom/references-missing "$work/set" && rm -f "$work/set/truth.json"

# 2. The tool, installed as the catalogue installed it.
git clone https://github.com/e0404/matRad.git "$work/src"
git -C "$work/src" checkout c014dc82d620bace0836eb8cc420fe33c19cdb87
apt-get install -y octave octave-dicom octave-image  # as root

# 3. The call: the check program prints what the tool read, one JSON object.
octave-cli --norc --quiet --no-window-system tool_manifests/matrad/checks/import_ct_rtstruct.m "$work/set" "$work/src"

# 4. Compare: what the fixture's truth gives, and what the catalogue observed.
#   rtstruct.roi_count: expected 5 (tolerance 0), observed not reported
#   rtstruct.roi_names: expected ['BODY', 'Sphere', 'CylinderSI', 'CylinderAP', 'Cone'] (tolerance 0), observed not reported
#   rtstruct.roi.BODY.volume_cc: expected 1450.835601 cm3 (tolerance 0.2 %), observed not reported
#   rtstruct.roi.Sphere.volume_cc: expected 7.248378 cm3 (tolerance 0.5 %), observed not reported
#   rtstruct.roi.CylinderSI.volume_cc: expected 10.852969 cm3 (tolerance 2 %), observed not reported
#   rtstruct.roi.CylinderAP.volume_cc: expected 10.905024 cm3 (tolerance 1.8 %), observed not reported
#   rtstruct.roi.Cone.volume_cc: expected 3.433501 cm3 (tolerance 1.3 %), observed not reported
