#!/bin/sh
# Reproduces, without rtcompat: F9 The Open Patient search stops at the first compressed CT image it cannot decode; the patient never appears
# Tool: dicompyler 0.5.0 (main); check program tool_manifests/dicompyler/checks/open_patient.py; fixture set 'ct-jpeg-lossless'.
# Run it from a checkout of the rtcompat repository (for the fixture files and the check program).
set -eu
work="${TMPDIR:-/tmp}/rtcompat-reproduce"
mkdir -p "$work/out"

# 1. The fixture files, checked by their sha256 (rtcompat fixtures build regenerates them).
cd fixtures/dicom/ct-jpeg-lossless
sha256sum -c <<'SUMS'
efb3bc797dfa4d9a4fd186a9ad7618b028de4b39a2884090f9b3f9af0abcbc62  CT_1.dcm
51764b882923e97b3bf385fbb7999576e6308ae6c737993bea5850dd71e4fd0d  CT_10.dcm
0cddea9024f3dc12e7944fd0586a9080b7193e652a0f24c24721ca5c44b14c66  CT_11.dcm
d19cfd3964976565f2d55c142b9bb30fca43c914be64fa59b12782dce4505c1e  CT_12.dcm
063e2d5632e918e89f2a2fb9b2e41c9f82feb82537cd0e694994da02e37b98f3  CT_13.dcm
77d85653545a65cc10e1c067d722a8fba20ba6c797792d8732cabac2175b0032  CT_14.dcm
fe090d007a7cc5f7eb06dbd6a42e85cf2507da3de558f94915adb1af7961bacf  CT_15.dcm
7f8e4708e8bcab4d4fde4675ae79330bf38240fb5ec89ef11f81f1c5c21eac3e  CT_16.dcm
af05b8274b30ab2ce3524b48a11fe1d6be8f19542702347e0dd33359d6e2b4ac  CT_17.dcm
03676b716b9842d81d09638921ee00cfec3740959c6025171712d2bd4e97b68e  CT_18.dcm
220a3d363a81d70e048c83cd472bc07ed6b73522009d762d3fbc2fb704588f14  CT_19.dcm
46e466e718e22f919dea78dde24e75ea5f07416896ce663dbe0849f721ad4c19  CT_2.dcm
b8344e85396e683e71c05ab0980f5e2e46f936c6afab735e1c85bf5e3c177b67  CT_20.dcm
fe74f33bc2fec4130561d7a830b470e8c0902de159b025179f9c72daf5eec54f  CT_21.dcm
52c814df3a157982bbf62a98ecbf30fe89a89a69de9e4fef5f57990965575623  CT_22.dcm
f1c73b119db01cd9c551219ee96d71b4106a51dd432e6c8583466501eff12683  CT_23.dcm
54405b8aa1556b632daa0446d9a28eda362318936b96a4bd1c80e5a7ac7cbd34  CT_24.dcm
5cb34be453895a5d1988eb92c3e791e633011f3ad4078bff17846319a4ba595b  CT_25.dcm
65dd4c7f99038b5f86f94c9f2fab1cecc42c2e537bca8842de366599fc2e46f3  CT_26.dcm
037ab9eb7c8c308be25208fac8c8daeece904e3daf3bd903c3e2978ae65046a5  CT_27.dcm
17090fb27ea02514c5dfe51d73e0a09632c0642d73b25a5d3889a80a08a064ec  CT_28.dcm
71380d85ff9d0ee8ea96d615ebd640da84b265c3918c4cbe8ca054757e0511af  CT_29.dcm
6359e04c66a5223ea9b5d5265ccc3c1cd986837a941ab9b7cc117caf4dc87d93  CT_3.dcm
b702c0a4edf0d7dec8c849c20a0ecd068bf113b8cbb3f94e3cced55d52af5993  CT_30.dcm
351a7d999cdfa11211db6c77ce4baba2bdf346b44a114b2058c36564aa3e1e8e  CT_31.dcm
3854c1298d25347bfcfa3a5a81fdce21ce4233a95e7049ebdd6fb9834db1fc88  CT_32.dcm
2b1f88b039617a60df319365a43e10e87076c70c621044e18a6b67b79b263d37  CT_33.dcm
93f698882f6c4307d5a84095c81c86d57b55f31ddbb6b0b281ce2edcddd53fdf  CT_34.dcm
4b890339911f4309d6ddcb3a7229c32a54228da1b619582b4f57c7084353bfb2  CT_35.dcm
3e56c4a37e178a1ab06ae98c775e152600e047edfad45506470c342ba81e7401  CT_36.dcm
91255350f3c1fb0e39140653c85b52ae685a98deaf3a99c19d63eecec7d4d7f1  CT_37.dcm
9f074b6e8b14dfff8e85dd8597c9f34463887949cd19efbaee488c66f074a6cf  CT_38.dcm
a25d745ccb58d4cc3fa8d5c1f2fcceaf3dea409d5de05aa63d757979328bd247  CT_39.dcm
b0b53d63431fb31e6cc3b56785c3613640646182fdd9589d086d830854b651e7  CT_4.dcm
ae5f1380a1c63bb86029424ec19f4a220eb8ccc573025b8388016e5981087ce8  CT_40.dcm
765cba968102d2f0b4a0e86f88588b7e38c7f55716bae72379bf5ecaf7e09824  CT_41.dcm
53f3ecd919caa786979cfbeabdac5d161109bc82eac6d09d45b74eb08b4f48d0  CT_42.dcm
1f5b327007e09c0f1dc65d43f7de11d8f74d18e449e5f4a457506f5ec69f8b2f  CT_43.dcm
c351f7f505394728e768ccd9a8113b0387ed91a194297038f36c955d0a97cdc4  CT_44.dcm
90161ed0b30557236fe20442b7569f994b37d216066b3a8641a44d79f519833a  CT_45.dcm
3c889db724ff9f2bebe192cd19f2be2b82acb8b242de14f6860f339fca9c87cb  CT_46.dcm
4c0e5dbbc1a3422e25ebf4a1269675b64867ed05f8a90c2461dae74f2ec302a9  CT_47.dcm
d352bcef10d322c4964ec50b25ed0c17a02034095115d81969e8af6a3a4489b3  CT_48.dcm
a10733bdbfe818c3bc878e74e8518a4195762d84a549f13a1aad3719703f661a  CT_49.dcm
171627bbcfc9594aaece0bdf53ff625d30a0396ed0efc9947a43f70bd4b035a9  CT_5.dcm
0d1f337684d4792b58c899b920553be19dc6a1ddb88aef66aec85f32cd476102  CT_50.dcm
d293049a8f960cafe7de398a7cc81c05b1855e9eba0deab8aaca345132360207  CT_51.dcm
3ea5bab0cb1fcfbb0334369a873e557269d7af4d16cc480d3e21c58b1e6c353a  CT_52.dcm
c0c1d56a4690dd43c8225fb7e78ab7688b5efbaf0d6af191b5c6681a964fb2c9  CT_53.dcm
95da46f9d7780a62f8917545cfb868f5080cdecdb083022c6aa68d9cf9e96cb1  CT_54.dcm
cd2eb7de49d098b379dbcdbc509b8cab43222751297b3c2ad761225bd66a8b9e  CT_55.dcm
ad5436913ef1d4c803b644ac4cc28fc1e95e980822b25c4735551f45e67dfb73  CT_56.dcm
8a4de31a19b76da5b6fd24e60cbf01898b030a9d992f3c1cddb87cb9f0733847  CT_57.dcm
399dc6bb60716bcfca99d5705fb448a41f22f6d54f49c3f350ab4bfd3909ad23  CT_58.dcm
63dc48eb30bf8db8f02e73234b9733b231f89dfae8ec4f944443244371d242b5  CT_59.dcm
0b3e47b7007749ba1d75005fa464c55ef7591d944cddc9a1f35a64ddac6167cc  CT_6.dcm
402a72ab44382db00b85589b6de4af6b8e63266e66c6d55609dad7b7551b271b  CT_60.dcm
7324f627ad861a8e36d4e1ff863a0f107ffc7d7a97e1ecf7697e202d2cda2adc  CT_7.dcm
691dd803cc3ab52649774196662ca21fb833974defecdd3cffc62afc03e7a15d  CT_8.dcm
4557adeaf03d662b580a63f9738712cedf7ac99282f40cd379b948dee464c027  CT_9.dcm
45b236a91959d29ff1d0071be847b2c4dcb1768fe02d335f6a6fba874715da25  RD.dcm
69953c132accd65b2b5de092332a78031e60c4c377df3de3a7fe2e73457d18b3  README.md
a4bdfb4c27b965a484bd589172562f881c288f6873b9b0b2fd693cc19140e255  RP.dcm
01ce6a6955a3456d460cc4291aabe13e700661f501e37684b90146293b4ec6d3  RS.dcm
848e2e1bef2b3998e49324eba69cdb91d8accce31a8d5bf9f9bdb97dd8ba736c  points.json
54ab440b4c48b38a90e269443db0ac649c2449d7b629febce58a296271563e95  truth.json
SUMS
cd - >/dev/null
# the program reads a copy without the truth, as in the catalogue
rm -rf "$work/set" && cp -r fixtures/dicom/ct-jpeg-lossless "$work/set" && rm -f "$work/set/truth.json"

# 2. The tool, installed as the catalogue installed it.
git clone https://github.com/bastula/dicompyler.git "$work/src"
git -C "$work/src" checkout ffba3a83dbbc56ee3b10ca43abcf959fca4c962f
apt-get install -y python3-wxgtk4.0 python3-venv xvfb xauth imagemagick  # as root

# 3. The call: the check program prints what the tool read, one JSON object.
xvfb-run -a -s '-screen 0 1280x1024x24' python3 tool_manifests/dicompyler/checks/open_patient.py "$work/set" "$work/out"

# 4. Compare: what the fixture's truth gives, and what the catalogue observed.
#   rtstruct.roi_count: expected 5 (tolerance 0), observed not reported
#   rtstruct.roi_names: expected ['BODY', 'Sphere', 'CylinderSI', 'CylinderAP', 'Cone'] (tolerance 0), observed not reported
#   rtstruct.roi.BODY.volume_cc: expected 1450.835601 cm3 (tolerance 0.2 %), observed not reported
#   rtstruct.roi.Sphere.volume_cc: expected 7.248378 cm3 (tolerance 0.5 %), observed not reported
#   rtstruct.roi.CylinderSI.volume_cc: expected 10.852969 cm3 (tolerance 2 %), observed not reported
#   rtstruct.roi.CylinderAP.volume_cc: expected 10.905024 cm3 (tolerance 1.8 %), observed not reported
#   rtstruct.roi.Cone.volume_cc: expected 3.433501 cm3 (tolerance 1.3 %), observed not reported
