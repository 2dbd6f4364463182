/**
 * Which bytes are Flux's: the sha256 of each of the 9 files in the `manifests.tar.gz` of the Flux
 * releases flux-azdo knows. A downloaded bundle must match before it is used or cached.
 *
 * Why the files and not the tarball: Flux's `flux_<version>_checksums.txt` is goreleaser's
 * checksum of the CLI archives; `manifests.tar.gz` is a `release.extra_files` asset and is not in
 * it. The package carries its own list instead, made from the extracted files of the release
 * (the reference copy under ../shared/flux/<version>/manifests, `sha256sum *.yaml`): the files
 * are what bootstrap uses, and a gzip stream can be re-packed without changing them.
 *
 * Adding a version: extract its manifests.tar.gz from the GitHub release and add `sha256sum`'s
 * output here.
 */
export const BUNDLE_SHA256: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'v2.9.4': {
    'helm-controller.yaml': '24a16e85d6aa0ac63dbbc760d6a4687335adb745f739cabf59201ef6de37d783',
    'image-automation-controller.yaml': '55238ef83e3f08f5d9dc22de3e328d162b818cb8a177055de622e89419062253',
    'image-reflector-controller.yaml': '70abc9bea28d407bf233b560a99411ef60c1606ee0802299f0ac079fa74846f0',
    'kustomize-controller.yaml': '95923c60de8effd39b3ba72de77feedd013194b058bfbf88faf129868746bc90',
    'notification-controller.yaml': 'da0cb6ae90fc528b51499e3a73889fe770731409cf1dc73f6420479dc235b4f0',
    'policies.yaml': '39dd6af15834ace43252896a32a5af068ee6639babe2832ce8833acadae3d223',
    'rbac.yaml': '55f5db7632dd9458884efcf127da57f863fc7897cfd413eb42cfb7a7172a1c51',
    'source-controller.yaml': '945a3454f79dd33c069c6dc4f99ab2872fe6b1c66dfeb1aed672141213da321d',
    'source-watcher.yaml': 'a1c4288c3e3d3e9f140f5dc4072e5f5754c44a14d159d5883e1781b75608ec66',
  },
};
