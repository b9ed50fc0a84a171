#!/bin/sh
# Reproduces, without rtcompat: F33 JPEG-LS and JPEG 2000 CT not decoded (the image comes back empty)
# Tool: plastimatch 1.10.0; check program tool_manifests/plastimatch/checks/convert_dvh.py; fixture set 'ct-jpeg-ls'.
# Run it from a checkout of the rtcompat repository (for the fixture files and the check program).
set -eu
work="${TMPDIR:-/tmp}/rtcompat-reproduce"
mkdir -p "$work/out"

# 1. The fixture files, checked by their sha256 (rtcompat fixtures build regenerates them).
cd fixtures/dicom/ct-jpeg-ls
sha256sum -c <<'SUMS'
1b34d892c357a7c049f887af985db9db2c3f46ef032f387e823b913bb0b380ec  CT_1.dcm
fb8130991d403766e60200c727ea697a1ce49529f4906c7bb0b440cb17eb5d32  CT_10.dcm
cf2b57b2ff0b6a82c3943dfbc89604f2e3e57bf472e6152040d29c32f82e4596  CT_11.dcm
f94a5b1bf132ecacb8d82d976beddfe6c354ab0c0a451a3970c6c51e72a15418  CT_12.dcm
32bdbbc4a3cbbb30385d41a358aab68066120fb8fbd2daaa31290acc3cc77c02  CT_13.dcm
8e30aa05fc7a780e7c46adb1830353552320557d275fbaa423941a4bd8b0fa5a  CT_14.dcm
85040253b33b9c69416188ab68421bc09dd9a609816e76e556fcd6484a13beae  CT_15.dcm
03626e6f95cda1b2efac19f379e4c6c6c894b7520c0cc70a84cb6f016e252d33  CT_16.dcm
525abf1c00d05375c0a002e051f3e9df09da10bf08516f2739200777c7b50311  CT_17.dcm
9776d4cd5e20cd466439bbb290db95a244fedde342c1036505b72922914a0c7c  CT_18.dcm
3c8d9870d1d322a488ba215a10c550affa1c314527593208aa7589c174a5ebdd  CT_19.dcm
1942123187530f2904ba7d9b267509edf0498e9c3414447a5027b93f6ecd4f0b  CT_2.dcm
d49930a2aa8bb97e9e1f038af24c2c1861e1d6a463070b7dd92f8c7d0f4d099b  CT_20.dcm
825bbaf5b2dcfddd6ecfc2f8e44f5a7798d3e48714717ec5b4e9df0f1a9c42f5  CT_21.dcm
31492e91643450952234106bd96e95bdbae6fdb6f90ec5541ee669f24f18bcb4  CT_22.dcm
c0ba76916ee4c8e056658f1aaf24869c2e1334474724b13a245e5b4ed71bd8df  CT_23.dcm
d542ffdfda6b46e81ee723f7d981b39f0848286c51283b5b55022db7d11b5878  CT_24.dcm
16c2c8658161bbbd84ed3f0c180b6981593aa59a8375a3c35ae874ef230a4896  CT_25.dcm
79fec1eb515eebb5ce4f5d56abe28e696731b13c8732ca344d25b822d279dd58  CT_26.dcm
faedd2fc0577e94accb79522ed1ca4cee9d55af3c6f3c7abafa46d201acbda13  CT_27.dcm
d7cda64e6f46755c9a700888e55de3165c424a637af610b7169a99bf39b4dff2  CT_28.dcm
966783464f226049cb1195631d1793ccbf26cad539e5b41196e3c362ac78c6e5  CT_29.dcm
1a782751b0d328c51b75a80386a778a22b5aa8c4aa1d19deeaea2854d8b99cce  CT_3.dcm
e75628894f699e13216654615763c7ca6c02e10d80aa6efbbaba1edb312af146  CT_30.dcm
0d09c31cc0297577a2dabd8a5789ceb5661c21f0f3eb6717228977185906b86e  CT_31.dcm
eb9a4e8540300a24146556152a07bbc1fd87785a980c3f069b4ac8c1da01ffb2  CT_32.dcm
ed0a4a351404269ebc06305947dc46b15bb0e39e76f28ae6d1a104a57a6ab134  CT_33.dcm
469d9e502c40096d7967b2514f58e4d61beccd14202e2eb13ec70adb610b2fc0  CT_34.dcm
c579963cca688998deaf294001b8be29155168489be69d338ef853e2108c1963  CT_35.dcm
138f1ab2342476db4e0f9f9ee457d6c31fbcb39f110d5a97a892eb8a624e5d77  CT_36.dcm
6a6ba56fc56c45e9b936544d0f9be79fa4022d29ab507b9272acbe105ff62f50  CT_37.dcm
6196db75172c546f1ee88bbc2010cfa693109996fd558f488669fbeb9f9794bb  CT_38.dcm
e903f5a478cc477f7a13b956352580ba1cb7e709c552aa5e7b87acf882336e5e  CT_39.dcm
b7fb220134685bbcb3dfdb25ecd9cc4c8c22797f42206277c586b1c4f0ad43b1  CT_4.dcm
3e9d81dee8d81c17246f061b7c20c238ee17cc2315c468ac28f33f9be4ecbc2e  CT_40.dcm
688328ec64de5688fcefda45faaab70b9b9e1c9fb00772f9052fac29add478ca  CT_41.dcm
4cc3f0251783a306c30587b002598cb5d56aecde00d603846fae0a45be936402  CT_42.dcm
474a283bf764e230b776adb87531f19c13db2b381eb7d716f7679f6372fd0682  CT_43.dcm
f3bb0e5c72abd803f0b5053f4f9bd5a9c2cfc80142c5b717cd350eb2c97c6e47  CT_44.dcm
3e2ea9b752905dfbab9d00b201cb97afa0a527b477ba43ff466c5187a92a6b01  CT_45.dcm
5776206071b95625c0fa512c487b746fc53d399fb8dbb8b02471ddb173cef8aa  CT_46.dcm
4304d4e28918368890652e572edba34bca8f67f35b0af9deabbf86d0a43eb47d  CT_47.dcm
45d2f208d0152967752d7fb66a3cb8d772df1c10ef2e2429c9a48ef1e6ee992b  CT_48.dcm
e843b3f2a2e917c9b049e832f60e395e50a72bbd0d1a28901662c3dc260f5fd7  CT_49.dcm
8eb2d8d791bfb531c13b8a0a5cf0cbe6c344b229e492d4982adf543a02135af1  CT_5.dcm
67a76773b610b89b6193808a6a0f10f13a998956415878ed0c09bc91a04691ed  CT_50.dcm
afdd3524726367ec6c2bda7d129b344c5a4108aa40aaf14958ddc02d0f49e3eb  CT_51.dcm
7c67b646d92b978ece9059d266df432b3ce64a3c7649cf9696619c81751da80b  CT_52.dcm
a88d71c29c87c78efdfb629c00acee2b68d1b08d628c7f7aad0aa771202d3b24  CT_53.dcm
7a8bae6be98b2ed4df2d934a9a9bc2ace46985a50827b97e6b7cfa500d63687e  CT_54.dcm
cb91fd4da77be84ad05645beb8b14d608f25855898601f49a82a709cef14fb38  CT_55.dcm
a07c5da8c4d0af6c48a4bd2d3c44668138ac49295b8b540c7e6955df59871806  CT_56.dcm
7a27ed22f0ef7ae06032bc07fefb78267d117a7f7d0200d76c8d9bd1ac17abb0  CT_57.dcm
d481ac275edf884f57315273e80f916db66e2f4df7a9201270bfbd4b4ee4ec37  CT_58.dcm
8c2ac8cdd7dd58908dd9f507e860ebd72364e6587fbfa7658f92d474b9806908  CT_59.dcm
b461987b21a250f4026bcf188b99d92a846bacab792d6babfc83e66a55cf1cf7  CT_6.dcm
179abbbc0ea3cfa1f7060ce5b38e23750721024ab31443719540ee5621357d12  CT_60.dcm
5cd6e76529b4550842578dd64bedc5b925c11dd98cc3c994f355439c76cb4b91  CT_7.dcm
20b1bf7ff12a43b7f258eb108b713e93204e3e77b5955aa6c0fcf1cdbd5138c8  CT_8.dcm
4825e83a30b0f77341818fbc5663ff5039d255e21694b29da9c74b34c6886a2b  CT_9.dcm
f6ab988580967bef08d532e065846a0c23d8b11fb6a6c5be4b94e4105115ea6d  RD.dcm
0477488842e8b3fa618ba97926e3b32a6ea19abbb73f8fe3677a7d15cc81bcf6  README.md
3eb28243ebf3bce4c46e6d6fe2fa46db1926e1a860a5b9f677738da6eeb2d36e  RP.dcm
7e0e409c4be1dd451cc03f7b93c21dce1038d8c1a3eb0206cf2191c7dfcaa5e8  RS.dcm
848e2e1bef2b3998e49324eba69cdb91d8accce31a8d5bf9f9bdb97dd8ba736c  points.json
c059f4edf0d494ec4c336d370f1ec5bd268fdff8215ab52b4ab32e25afcafe3a  truth.json
SUMS
cd - >/dev/null
# the program reads a copy without the truth, as in the catalogue
rm -rf "$work/set" && cp -r fixtures/dicom/ct-jpeg-ls "$work/set" && rm -f "$work/set/truth.json"

# 2. The tool, installed as the catalogue installed it.
python3 -m venv "$work/env"
"$work/env/bin/pip" install plastimatch==1.10.0

# 3. The call: the check program prints what the tool read, one JSON object.
"$work/env/bin/python" tool_manifests/plastimatch/checks/convert_dvh.py "$work/set" "$work/out"

# 4. Compare: what the fixture's truth gives, and what the catalogue observed.
#   ct.pixel_spacing_mm: expected [1.0, 1.25] mm (tolerance 0.001 mm), observed not reported
#   ct.slice_spacing_mm: expected 2.0 mm (tolerance 0.001 mm), observed not reported
#   ct.origin_mm: expected [-73.75, -66.5, -59.0] mm (tolerance 0.001 mm), observed not reported
#   ct.orientation: expected [1.0, 0.0, 0.0, 0.0, 1.0, 0.0] (tolerance 1e-06), observed not reported
#   ct.size_voxels: expected [128, 120, 60] voxels (tolerance 0 voxels), observed not reported
#   ct.hu.body_centre: expected 0.0 HU (tolerance 1 HU), observed not reported
#   ct.hu.air_corner: expected -1000.0 HU (tolerance 1 HU), observed not reported
#   ct.hu.bone_insert: expected 1000.0 HU (tolerance 1 HU), observed not reported
#   ct.hu.lung_insert: expected -700.0 HU (tolerance 1 HU), observed not reported
