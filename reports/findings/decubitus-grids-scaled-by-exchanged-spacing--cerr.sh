#!/bin/sh
# Reproduces, without rtcompat: F17 Decubitus CT and dose placed through the exchanged pixel spacing (the dose lands off its place)
# Tool: CERR v5.2-4904-g299446da on GNU Octave 7.3.0; check program tool_manifests/cerr/checks/import_dicom.m; fixture set 'position-hfdl'.
# Run it from a checkout of the rtcompat repository (for the fixture files and the check program).
set -eu
work="${TMPDIR:-/tmp}/rtcompat-reproduce"
mkdir -p "$work/out"

# 1. The fixture files, checked by their sha256 (rtcompat fixtures build regenerates them).
cd fixtures/dicom/position-hfdl
sha256sum -c <<'SUMS'
f64bb5f476904f8470492a1e44386e0dcf1a49858ea31776f411056775910700  CT_1.dcm
5ce40b93825a1d72a82a32553a6a9a5ff652ad779864ee1a2aa1e0b581d69058  CT_10.dcm
02527536ad7e49cadc7c559a6d05278bef63f27b56d99523c335e150e1abeec4  CT_11.dcm
8c66b25915836a0ed6b6447c81428691eb53c39c86ab7f05caf85723763d67ff  CT_12.dcm
b86e04a4f5df596b3195024b22d5b03d81bc7ac326dc7e45fd96a5e9ec7315ec  CT_13.dcm
6a042bec6b83d3d78d04946d0094742924b209d130f09390e829cf6e186f9e10  CT_14.dcm
ab944f6016cf6d4c4ee108aa507a56fefd56eb013b62565d5705eef2f8d9f2af  CT_15.dcm
de6147c2b7e82f49b7ef1a967eb422c99059693d85aa16dde705c99a1598b64b  CT_16.dcm
3dcd1ec5860e2fd4005a7c14fd407b7a3874e7e7dab5501a05554fcdba7fe5d6  CT_17.dcm
8b07283d6813d971c62071032b0bb3084835fd603f86c07710fafd3d1f307eea  CT_18.dcm
8f744c4d91ac34e0a07fc338fe8fbf1253812c236dc129b7a4ebbdb73f741087  CT_19.dcm
3c6afa2f8664c7348e316a1b9e6b06f339818b4be5df305aeab8ae5deda4a1db  CT_2.dcm
84f0918b64ecc9af880b884cfdd8fdcebd6fc2954447b9fd0ede3ee78cef3a64  CT_20.dcm
9893e2b01121200d7bcdb4de781385ebcb6fb092224367f6dc84c1f981d0a6d1  CT_21.dcm
e5f4f7f683143fdb95325fa106fb3abe1fd4374a7804f9b02f06becd14a7fbcd  CT_22.dcm
4b13277c543b31d169142112fffeffb68e639a8b4b0986da89b8d2d362b065bf  CT_23.dcm
d87e8751f157dd059634a293e134dd59e0744c6646deabb9c12d89a3c8322e2c  CT_24.dcm
5e7eca57fbd741759cf5ba13b9adccf3f2981717d0d95d93f6d7042db8937995  CT_25.dcm
fae1c8dd441c83d81fa82005075c50f151ab95087a8d73f38df7eb2a5fb521bf  CT_26.dcm
d557d02eeac58526c3ccc2584edba9f41c00460d856ce979ffcfb18d85a3ea3d  CT_27.dcm
36470cd9ab281acd2a267fe6b49be26709a95c61a7302cbbfe61431d7327fd21  CT_28.dcm
bcdb0a17715f522e94f0ed1efa173117c9daf63cdb07efcf3fb4414e745c9cd4  CT_29.dcm
a03335aaf77233f57a9ca952afe7e389b9c572090007d78eb033ff5ee4d81e31  CT_3.dcm
0202429e6f0e1bb008a4494d5d58eee0c0ad5d2e1f4a18035f05ce12d8ea8ede  CT_30.dcm
f88642d98cb6dabbbaaa9c7c97e3bea94fad555019b39a8c257e88ba64a533fb  CT_31.dcm
cc1b5bff02673105541880260ad9c6b4a43e87c28e80fc31889e956c51cd9cef  CT_32.dcm
039c719e9afefe517346d5ba8a1d7a3ce5eb82b0e543262c26635e672c61b483  CT_33.dcm
6b47fb5a8905f7f90f5c7ceeb8bcda13038ea451785a0441d70d4ce2a0c23003  CT_34.dcm
d4c8e96a6a4c62e5a9638e669d8b89fc6161b7b8f7214b4f61b8df8e044a9432  CT_35.dcm
9ba7f259922390a38e287353e55f9d6acff749deec525e69f538da8795048fe0  CT_36.dcm
b7f35a1b9f8ad6643fa44ce299c560244c59cb2d4271b9a6360c6a5db673e854  CT_37.dcm
7c90de87b58f5c0412c41859bc03a0acaf80794735e12cc031ac1f8d6b20c3ed  CT_38.dcm
7f447f7f932849196f639fa3b472bf84c6a5870db1a30c47a97010ab5614e8a1  CT_39.dcm
56af388a59235f9155b24a49bababd7d3021f061001a545150a6803c91b05d9d  CT_4.dcm
7243fcd477ac7dda990b4191ee0c0754d81b30454fb03f226ad918e2b938cbb9  CT_40.dcm
0683a6e004a85fb415394b87fbdf822162f59ba46dc3c03d7de5f47df3632c11  CT_41.dcm
f4f69b17cb51f603324ea5f386fc9598ba7716eb589b07b52ead60e8c1782f2b  CT_42.dcm
4b245005a52589bcf3cbbc6b1dd68dc3cbc8cb57f819885378a32f3053ff1540  CT_43.dcm
986b09b6fdff0df8253d1f2a0f1f0eab0a765dd5d46fba078df4564806ad3826  CT_44.dcm
42e3224a55b7a6a7c551c3d6be9c742eee777ce275a43e125db253f70c84d8b3  CT_45.dcm
296e7d7e25dab8bc3eccb05a52d7b57a9c817ac09d9a336ba4417f10809a09db  CT_46.dcm
4588c2c062c926eefce72e7682b742a5a9115751363afc04b4b4056f94936e1e  CT_47.dcm
9a9eed5a8be8d241e10b742d20c0d9a917072e2b1a8cb3f172d723bf6525c4c5  CT_48.dcm
c93b8807eb779ab0245ee5eac0a4b898f061fb6c9f25e0d78cdf0bf4fd46e61c  CT_49.dcm
2257867ff94748017b8e8755ee51edb9bc9ac0aebb259f3e218c7bdbbd3593f6  CT_5.dcm
b63dc23275d8ac34db2dc8be9e08515ea5d46617f75760cb76af4b940317904f  CT_50.dcm
42f71a9cf34aac9e00971d46db9c213ef33c7435257992a82b77d558feab5f4e  CT_51.dcm
7fef8b90bb482375c9ea289d2b6595f13b735469608c550fd40a578340b4b2f8  CT_52.dcm
9727ed88b7011f7fca26a1a8611ad429152dc17b19bac816055dc158f19786a7  CT_53.dcm
d65e27ad6819837c3452275e4f8220754edc0d645388613c24ff96b7c2229c17  CT_54.dcm
27cd2aaa8fa2d648b346e633771302103db05b74ee37c44a136b6ea81781dc9a  CT_55.dcm
35a4c4e15d11bcccb7ee126757f098e3bd2fcfa54af0cc2e7bbd11c57407655f  CT_56.dcm
6c704619b09f4e752c1b23b97fc0e90008d9fe43ff2f750b993037c615e6507d  CT_57.dcm
d30ff7acb8d51fbd9ce92e60b0505d801fefe020a7e71704451cda8ebdb272d2  CT_58.dcm
4136208bf6e12798a8722abc7d67bc711b5ad0426e952689136131e60c491ecc  CT_59.dcm
8aa10a5f409471b4e29209fb889f9499512d8075574d17f363e765bb85a6c78b  CT_6.dcm
6ec65a42ebc23fd5669641a36fb5b2583cbc0b91c4437951bd1c77de790b146c  CT_60.dcm
645f4487ac47ede0e327fdd0fa7fab7d033a3f597eacd35246ab4943840ec0d9  CT_7.dcm
12c296ace4aaa9fc37b235d178190e448a2d77326c08d8b899915a6484d36b8a  CT_8.dcm
1331bd836ac665fc0b308827740d1380d7a02fa017d08a20f754189344ee31c7  CT_9.dcm
91d5ef358c2e78f4fb67070581e6c4a4570dc52503be0968f184f1cfd1ecb679  RD.dcm
2e0299b4549cae3ef9c2fbc6fa001f89bec535e9aa02f8df6fff9cc0fe586575  README.md
9fa5a51ee7be7bfb75c4cb4d635ffe271f49bd4bbbfcd193122e235ec0f019ab  RP.dcm
824b497e0196e237112554ddd45bb320b92418352a1b018d26858c8a41a869ff  RS.dcm
848e2e1bef2b3998e49324eba69cdb91d8accce31a8d5bf9f9bdb97dd8ba736c  points.json
3dcc80810e1ce5157ce8b9ff9720e7f1b208abef48d73bee5c87c3dc61195cb2  truth.json
SUMS
cd - >/dev/null
# the program reads a copy without the truth, as in the catalogue
rm -rf "$work/set" && cp -r fixtures/dicom/position-hfdl "$work/set" && rm -f "$work/set/truth.json"

# 2. The tool, installed as the catalogue installed it.
git clone https://github.com/cerr/CERR.git "$work/src"
git -C "$work/src" checkout 299446da0a55ac0b611c7132995682278dbf7b00
apt-get install -y octave octave-dicom octave-image openjdk-17-jre-headless  # as root

# 3. The call: the check program prints what the tool read, one JSON object.
octave-cli --norc --quiet --no-window-system tool_manifests/cerr/checks/import_dicom.m "$work/set" "$work/src"

# 4. Compare: what the fixture's truth gives, and what the catalogue observed.
#   dose.pixel_spacing_mm: expected [3.0, 2.5] mm (tolerance 0.001 mm), observed [2.499999999999991, 2.9999999999999982] mm
#   dose.at.origin_gy: expected 70.0 Gy (tolerance 0.01 Gy), observed 72.3253332028946 Gy
#   dose.at.sphere_centre_gy: expected 67.15 Gy (tolerance 0.01 Gy), observed 67.2666667193334 Gy
#   dose.at.cylindersi_centre_gy: expected 73.45 Gy (tolerance 0.01 Gy), observed 76.68000035784222 Gy
#   dose.at.cylinderap_centre_gy: expected 86.25 Gy (tolerance 0.01 Gy), observed 91.06666214169668 Gy
#   dose.at.cone_centre_gy: expected 74.45 Gy (tolerance 0.01 Gy), observed 75.9600006630183 Gy
#   dose.at.cone_apex_gy: expected 68.45 Gy (tolerance 0.01 Gy), observed 69.96000066301829 Gy
#   dose.at.offgrid_gy: expected 82.4 Gy (tolerance 0.01 Gy), observed 84.28533228736724 Gy
#   dose.at.first_ct_slice_gy: expected 40.5 Gy (tolerance 0.01 Gy), observed 45.02707307151404 Gy
