#!/bin/sh
# Reproduces, without rtcompat: F30 INTERPOLATED_PLANAR contours are skipped, so the structure's volume is 0
# Tool: dicompyler-core 0.5.6; check program tool_manifests/dicompyler-core/checks/read_rtstruct.py; fixture set 'contours-interpolated'.
# Run it from a checkout of the rtcompat repository (for the fixture files and the check program).
set -eu
work="${TMPDIR:-/tmp}/rtcompat-reproduce"
mkdir -p "$work/out"

# 1. The fixture files, checked by their sha256 (rtcompat fixtures build regenerates them).
cd fixtures/dicom/contours-interpolated
sha256sum -c <<'SUMS'
68da01321e407f7d9d8e6b1856f654ad65e7045f52e3a13ca4581b21b9f17ccc  CT_1.dcm
00954bae74a66364fdfaf9a5587c14830991c0d47be15d6b8b120b8a6ec2835d  CT_10.dcm
792305c29aab6dac9c461515e5da7c7fc80862fd2aae4dfc026525c1227c30ea  CT_11.dcm
cf18866a25a69e2f1a14c8542bcc81d28579ec35813823a125949d80cd58d6b4  CT_12.dcm
6519d2c637be6c5da827dbafe00d18c1344e6f01b78c24e9e5a1b6e5c2857e8f  CT_13.dcm
9b645b8c1104a302e218150acc125750a1769898df61b0ecaea37a80b5e8a961  CT_14.dcm
35ea1f8a7cd9e4bba678c231cedc2cb96bbf8ee24858c581d12dcdd9a033e67b  CT_15.dcm
79ad8d1db55f24bc3149b7b5ae70ae27e5b1d5bb702c90d190e1af942a665b81  CT_16.dcm
df99afe7278f520eb86f0802e868beac5a0b12a5982a37b9a001dd2c31c53ffd  CT_17.dcm
2c7d15817f8f43b1e656aecb3e7a0c85b60a37e8ac191001af2f8c3e2b1de3b5  CT_18.dcm
31091d66df9ff028dd2e0dba43cce0e4427ea1c5a449ab0f6d762cb74d13c690  CT_19.dcm
6e0d05fdd5d5017cd1da4aa2890fd2645133fbd8b719ab7e3799264ac8cbeaf7  CT_2.dcm
7b4676692c74f25dc07106e89a0fd5d1fb4ce9fae450e189e7666b80698d0aca  CT_20.dcm
7ab108ab45516b31fc292f160b50ab3465e43b675ac93a0fc54725a86546efdf  CT_21.dcm
c9c38f1613839a9ccef49120cea73997b07bfe8c74f52e72e007c22c58003c86  CT_22.dcm
b54b48d85a0efe69e2719a4e47f696f5431bf259e8ca34fd6f197e232d002947  CT_23.dcm
93d26612bb3c31a27d3901ccdd03c3c87a242d6fd58104701826692338f41bc9  CT_24.dcm
9b3eeab66b568eb12d4dfed15671c7120b3b336f694852b3ab5be4750dad0921  CT_25.dcm
b2649da52dd2846ed31fda8c7c8428574339b500a568c3a400c3a2676adf8e24  CT_26.dcm
1d58f1ab4fc09324b93f6e319e65ef02f5d06e758eada45f41f789390ec34c99  CT_27.dcm
4eb05df9c79e15b00696fc1850db10f8285d8dc0b1a7ea722b950d3651e99fc8  CT_28.dcm
0bae6992a9ad098b803d7f3b19cdca103e393026cf45f5ec6f1174bd93cb1ee9  CT_29.dcm
472e857c6a26fa0a7f769f9e0ac7f153d74cd547c67697dd42c0098469330304  CT_3.dcm
7d66e274ed5c52e8af415b04864e4b5e17d492a348933c5a7347616ba8a54f98  CT_30.dcm
d7301b7b3e30423148d5e787309a2415dfacdb839222db15e5f793f212d0f20a  CT_31.dcm
35a3e054e34401ed05b33939a588ade3ff5b365a88652d5090564d440acf4a29  CT_32.dcm
d05e68747266600b0855e2e3f06710df8f9a133fb4fb1880a521d1271814d078  CT_33.dcm
0e8240fddf5b90f0b4fbd4f8ab3abf41a37c2ddbc67d8d5fa0d76b50822c5ab9  CT_34.dcm
f64cd2ab170b523d602995792eacfc1d58bd5f616be004bdedc962865811dce1  CT_35.dcm
79a945924c7fb894835bb9545fdb4e740a533529a26013d2e3a4ec3045f6beca  CT_36.dcm
531c1afe45ac1e897261227544c54b86c95eda78743878291144e46a150cefb3  CT_37.dcm
7f28deb8bd78d699d5e6058ea3a598929b984b563dc7b1e9ef25b9164da86d7f  CT_38.dcm
2737d1f1eacb5af37cc6748f67833a372a667956dfd16629a956009761706c36  CT_39.dcm
cc47b4f564c0263cb8d76e8dbee0f7a51e501c5d27b8f66f818cf657b0b519fd  CT_4.dcm
70bc5eb3282da35a22394484ce475a4666dfb4a9a67c1b8e008ffcd947eb261e  CT_40.dcm
48595a67bf7ede41c890d99644a5aaf999feadbcff555e42ac4110e00d0fc505  CT_41.dcm
73df2183bd5befb69c08fc7cf150137070fd7e12eb88cf12b43fb29e3f9485e9  CT_42.dcm
552cab208dd4a2c50b537b9e0a4f3f0b863e8ce566a62e2c0cd875ab7295612a  CT_43.dcm
b2b4cd408d71c086674e620926035ea7ffb51e1a02bcb81b05c2ce692de083d5  CT_44.dcm
7a48206f8c3e53e54393d16af8cbb6474d4db08a5b86d6b6a5919bc2c15262fa  CT_45.dcm
a47a689320403998d856dae96acba632a7017333221c0f4e489c0122ac5f6898  CT_46.dcm
8f37a3dbe9bc8430a6b74e947e5239880e66f51573a8e1b54ee0a82dca875975  CT_47.dcm
a741bab7168ecc6cd71c37de87955cfd5dba24a203c570b2dcb1a1c1d1b410b6  CT_48.dcm
25b5700e033aa914bc9d0ed8a96d1b4150230a790f692efc39e5fec0db4a3728  CT_49.dcm
2ef9336d9b59264101236932bcdb6857faeb4d9d4b33d193c2e4eb6ec5446e7f  CT_5.dcm
f2bb5fa9b955e27aa5370eaabd79f5b195c6535755f3222ca0bb7409cb382b6d  CT_50.dcm
7459e7cb296126dc8357cf2adef821ed6b4f0addb275f5707128324239360d80  CT_51.dcm
941f2ca204717134c7437489862542429a180b6a6fe29c40ea22db4ce6d73e12  CT_52.dcm
eb52b4af2a877003f9b63e895ae4be2254017f58ae9b46fba863a514b8b76f6b  CT_53.dcm
e36451c77561c23f3f048e875332dd1473d508882c03b44f8a41dc2956e8b0ae  CT_54.dcm
b5d2499ff4013b625dd6f662c94592b485053d78027e7a43b1c730ea76499a43  CT_55.dcm
4c9e381a0c3d54f284ceab4a010de88a1b16f4080f6fdace06dc510bd5437096  CT_56.dcm
ca2747edcb7af0e82f1ff29f08a041dea7dbe340115d66070520450ed5d5b7ce  CT_57.dcm
a5d8bd2e7805db602a557d306afc9891a050e709f68571d187e8e33a7e7b588e  CT_58.dcm
50793c0f8e5aa60454ae554841f3de180aa676c51c1e62c38103be7ac25f2b6d  CT_59.dcm
a2bc2d0b4f3acc9bfc48d058e2aeb49c9dcec8a6e7679eb9302b0613605a05d4  CT_6.dcm
5bd9858915784d21479fdd55075543c1877cdd982f539c4b3bc957dde80d0c98  CT_60.dcm
73116ac0ccee24240197211779171ed8d8f2bd7f262514391a244586394ff90b  CT_7.dcm
be9c8e57e0d9627b1baa6288cadf13d74b64ed14dac8cf64390542c49d4a45ac  CT_8.dcm
ff81b6873b9142613a0e984d9f5ac2522dc304d399ea74d1a74947e518c330e7  CT_9.dcm
d88cc2c36cd811ca0fda863158a7169bb806159828f0c218b1d8fcd38fa78bc4  RD.dcm
0a401044c97ba19435f8bf8190a872f43610a5748bf9c4309753cf5979e0fb0e  README.md
aeeeda5e84e27aff0d05d16af567207e6359a63b8c30d2e273e8c966eb2a781d  RP.dcm
f3486ab937f482f8a8172e383233dd61fa4ad2999d0693606c7bd85ca514a2a9  RS.dcm
848e2e1bef2b3998e49324eba69cdb91d8accce31a8d5bf9f9bdb97dd8ba736c  points.json
2c2bfe3e4f7308bf2b38c0ea4e5ee079111d571c1f3615af4e9b585ed7695d44  truth.json
SUMS
cd - >/dev/null
# the program reads a copy without the truth, as in the catalogue
rm -rf "$work/set" && cp -r fixtures/dicom/contours-interpolated "$work/set" && rm -f "$work/set/truth.json"

# 2. The tool, installed as the catalogue installed it.
python3 -m venv "$work/env"
"$work/env/bin/pip" install contourpy==1.3.3 cycler==0.12.1 dicompyler-core==0.5.6 fonttools==4.69.1 imageio==2.38.2 kiwisolver==1.5.1 lazy-loader==0.6 matplotlib==3.9.4 networkx==3.6.1 numpy==1.26.4 packaging==26.4 pillow==13.0.0 pydicom==2.4.4 pyparsing==3.3.3 python-dateutil==4.0.0 scikit-image==0.24.0 scipy==1.17.1 shapely==2.0.7 six==1.17.0 tifffile==2026.3.3 tzdata==2026.6

# 3. The call: the check program prints what the tool read, one JSON object.
"$work/env/bin/python" tool_manifests/dicompyler-core/checks/read_rtstruct.py "$work/set" "$work/out"

# 4. Compare: what the fixture's truth gives, and what the catalogue observed.
#   rtstruct.roi.Sphere.volume_cc: expected 7.248378 cm3 (tolerance 0.5 %), observed 0.0 cm3
