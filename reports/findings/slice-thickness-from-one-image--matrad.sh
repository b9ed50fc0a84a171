#!/bin/sh
# Reproduces, without rtcompat: F10 SliceThickness taken for the distance between slices (volumes +50 % on 3 mm slices 2 mm apart)
# Tool: matRad v3.2.2-10-gc014dc82 on GNU Octave 7.3.0; check program tool_manifests/matrad/checks/import_ct_rtstruct.m; fixture set 'reference'.
# Run it from a checkout of the rtcompat repository (for the fixture files and the check program).
set -eu
work="${TMPDIR:-/tmp}/rtcompat-reproduce"
mkdir -p "$work/out"

# 1. The fixture files, checked by their sha256 (rtcompat fixtures build regenerates them).
cd fixtures/dicom/reference
sha256sum -c <<'SUMS'
23d696fc7f74af890706730536249a071facec2b8ade17ff36486b07090d36e9  CT_1.dcm
85f29b3412841de194e870a62a8c5522a1ee00ac467a1be9b62f0f42ce2b67bf  CT_10.dcm
fd695b1ea2363e5356fe378702df78edb4680b224db0b42f4e8941dc68ad8d07  CT_11.dcm
d799f3d889d12ab5cf8b4e6fa28a4f95b262e4051994bb80b1e6eefd31e2cca5  CT_12.dcm
5e17ab596712b74b1fdf786c5aa03ac0e00cdf3d6dc8c1a54439f38ab9246a56  CT_13.dcm
8b983f9c4e8008629dfdae02eae53804e700e0c1fc36e12e7378227cc9d8e770  CT_14.dcm
955cc9af8ca106dd716232470e537550ad3b2b13f2edc533eba1b839e31ed1af  CT_15.dcm
0e6c47f1f2f13e8b1c9f4985f8f38e8f97af67dfb32c2f410ec627bb68ed410d  CT_16.dcm
4fc3d4be098ac1e8e968937900617017f49e84c910dfe03d9b613c3009c2a8fd  CT_17.dcm
2fc85508b79f0fcee5e0b30862ea68631e60b6cc443d9a6fe59042171c4b8cbe  CT_18.dcm
200d1ef5a4a304721c885ae0bda7cf3e052c108b0de3dd6fe3cff476903c19ee  CT_19.dcm
5ceb485d8c89558984a44bedeb741e92a23411d12e6f82c6e52e1c6d13b15797  CT_2.dcm
eb755366276220c49473fea7850dcef5025da962fba7bf8652ac5ac210f84be2  CT_20.dcm
0a6bde5e6c5719fb12c13a3d9f7bbb1b0318bb0a52531bb668fb52b24bde450b  CT_21.dcm
4088cecb20b0452dddc63eac09a6aa9c72fdb5bc2476f31cf5e937e0f1ed01c1  CT_22.dcm
098477df57a86eeb49a5357c58fc5042094606bf599cd8a6874c4fb487bf6a2e  CT_23.dcm
80f94e5d681d93a4c85a4ad6bfedf398b435702e015ce8fc2b11281827245aad  CT_24.dcm
e7d61996bde62c5d4d91423e95d8f7eda99630a7482c8596353ac05ef7c1eaa9  CT_25.dcm
359ca1a68981cbe2c72b43ee037f17e590ba607a587d7df41f41b4d115b3c875  CT_26.dcm
855e754413f2b9a1e92545606fd3d6688f86a12140d45e330623350e42672848  CT_27.dcm
f9113dbbf3e4187adb4178b9006f8203c2d7dde936cf8b588d42dde9c3428e06  CT_28.dcm
420a933cf7e5ede268c926dcdd679b17f5f71f8c0d12ed380e127537cf3cad3a  CT_29.dcm
2515eb5921e26d1105db12b19e424d32bf737840ade1c3308820c579f9388e0e  CT_3.dcm
5aa75de1c94d45d3d6c45e19ca2c27fefd462b28d7149aeafa8824051d273e43  CT_30.dcm
b42f21fe7269d39d7a7c1de6b2ad2e3c00d88e9ef864bf507a45e18418c9a533  CT_31.dcm
fb81944b18682b40d6f424fdac14bf8f37b660626f8faede062a2581215176e9  CT_32.dcm
e35b56405a97beb9fe8d49fc86018fc3d412d539a72a9df2178f2f423c4349ee  CT_33.dcm
43cfed9f9dd785ab25b71de8ea771f7a3504036b60e9572078e5c1fc6cdfc84b  CT_34.dcm
cda086f17e47649687481ce5323ca61a7606af2ab90079fe566b976a9905091b  CT_35.dcm
41599257ead538d4e3da271e944a0bdc069fb67e9dc5a82a80a3ca545d18cc38  CT_36.dcm
da9d242f166bd6e40d82d98b21028120562bb7804cb79feb02292ace6babdf99  CT_37.dcm
5237d0eeb3e849316e2f10b34c4c708f9b93a5bd100a5fd086d9ff1f6020fa3e  CT_38.dcm
ae8a788863a9b4a528b83471bde6f5955080c75618718bb1bcdc71db3ed334f0  CT_39.dcm
66207ab961e82397362f4214789e6c578810ab98d59e74b88fa334cad29de40d  CT_4.dcm
948075ef4e96007c64dd758089b8dea52384bb4e8af3d33d478da8f8fa7c2d6e  CT_40.dcm
246617806d599457d09f87ab019d581a47fc553ef1ca33e63a0e526eae3cf985  CT_41.dcm
5f70282484d54a556cca41368235699384346e00e7f7db7cb83ce847d0fe2f62  CT_42.dcm
dd2e0d8888290758dab6c49dfe5555c5a01d323a1d0a70f55cf2324974a6212f  CT_43.dcm
b14af91b734c0d957892418c42d8e1c7c1990f0ece88c5fdc6908697f9b9f045  CT_44.dcm
45b365f05f2582dbf7ea410a563e87a18c68ff5d9ad0ecf97e780f594c5c915f  CT_45.dcm
7ba11726fa420384d9b70d9e805904f7e603a65741cfe08441c4f03a7b086817  CT_46.dcm
8a6a4375b0a4e0d1699380596ed0c3815d0003ba6327f2df94993bead2c5d553  CT_47.dcm
ee0c6aaef353eeecbdbdf5bdf06a9c34d3f496612f0c3615041a725c3465eade  CT_48.dcm
7f396959de85ee40d042f256719e3372af9535ae31773f2adf69059382ff19da  CT_49.dcm
8f59fd5fc6c4988bbffdcabab54d1495789369668b0b416ef99b297b765f0edd  CT_5.dcm
cf79df3f3fee4c7f0e650d33f94e87e441bbd137fd74b56c9d4a0cb5cf0c13a0  CT_50.dcm
9884352c0c78790ec0bfbff6c381e84a4a79c44525f610af6a02171023c16e76  CT_51.dcm
b16107613b04ac0a9feca766d069dd242c60b064a3f600924e3fc5db9c911104  CT_52.dcm
efe86121fc117ba82c753c377f1b4a3b81591640d18c448ebb0b52e9bfd48c70  CT_53.dcm
81e2885a8150fe20ff09b8531fdde6012eecbad6b68439aac2cbd3c751b4e73b  CT_54.dcm
2f68526c0fa4193e44d2769e83dc641c5a77d5647db9ed6cdfd8568ad19d1740  CT_55.dcm
950b3ca84297d74b357580b0cf1ffc6c7c1f7d0b9d8265454e2f2b33ff6cf082  CT_56.dcm
1c7c99d8d02b34fa4096a2ac5df4f79bccae244355e563547b2e821038f82e92  CT_57.dcm
53e00ef7327d0e9eeb508e62ded2b9e7f8551cc176560b77db154179a21beaac  CT_58.dcm
c2eafc407ef12e05e3bfbcc06b1129a9b04ae22a6fa6b8e990dcd26d0e010a32  CT_59.dcm
53545bbf97565182f62f538d9f9541a443c88a9816536fd2a630d746dbb4868f  CT_6.dcm
a6f75bbcd5874e73377db33aee5724b861037fad29e3f7494bf48d71f8df87f7  CT_60.dcm
647bb4f4df1e373bb7c668ba2d2fd1e9a3e689d83fb8ab798dafd096bc16706d  CT_7.dcm
e239ca8fb8bd43ae14e0385b9ceb2798b169a41256a6e5facee159fd31817cce  CT_8.dcm
5589550ca60fcbe1186e96f187962eb7cc9970b2695d687d3ba9c67eca2afd71  CT_9.dcm
029064b861fbf957ba28b72a7ccf63574d661036d5da88ab81563f8d1758096f  RD.dcm
6cf9aab1179b9b26b08bcf0d3a79a4c0fd36b45eb29e3f77033727979bc946b7  README.md
a78c56c3a3c1c2a0b318408bf355811c99f4c5474973a0875c2156d093017209  RP.dcm
5390cb8c5578e9e9f7594e59471444c56e4e165bcb24681f9b3e2041395efeb3  RS.dcm
848e2e1bef2b3998e49324eba69cdb91d8accce31a8d5bf9f9bdb97dd8ba736c  points.json
54e6c5569b78f5df335a8be3df8dbde8aaf6341174f77bcd77fca2d4f3cf1d69  truth.json
SUMS
cd - >/dev/null
# the program reads a copy without the truth, as in the catalogue
rm -rf "$work/set" && cp -r fixtures/dicom/reference "$work/set" && rm -f "$work/set/truth.json"

# 2. The tool, installed as the catalogue installed it.
git clone https://github.com/e0404/matRad.git "$work/src"
git -C "$work/src" checkout c014dc82d620bace0836eb8cc420fe33c19cdb87
apt-get install -y octave octave-dicom octave-image  # as root

# 3. The call: the check program prints what the tool read, one JSON object.
octave-cli --norc --quiet --no-window-system tool_manifests/matrad/checks/import_ct_rtstruct.m "$work/set" "$work/src"

# 4. Compare: what the fixture's truth gives, and what the catalogue observed.
#   rtstruct.roi.BODY.volume_cc: expected 1450.835601 cm3 (tolerance 0.2 %), observed 1944.8999999999999 cm3
#   rtstruct.roi.Sphere.volume_cc: expected 7.248378 cm3 (tolerance 0.5 %), observed 10.87875 cm3
#   rtstruct.roi.CylinderSI.volume_cc: expected 10.852969 cm3 (tolerance 2 %), observed 16.515 cm3
#   rtstruct.roi.CylinderAP.volume_cc: expected 10.905024 cm3 (tolerance 1.8 %), observed 16.245 cm3
