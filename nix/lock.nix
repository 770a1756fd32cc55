# package-lock.json with a registry `resolved` URL on every package that has none.
#
# npm leaves `resolved` out when `omit-lockfile-registry-resolved` is set (it is on the machines this
# project is developed on), but nixpkgs' fetchNpmDeps fetches only packages whose `resolved` is a URL and
# npm ci, offline in the Nix sandbox, finds tarballs in the cache by that URL. Plain builtins only, so
# `nix eval` can check it without nixpkgs (nix/npm-deps-hash.mjs mirrors it to compute npmDepsHash).
lockFile:
let
  lock = builtins.fromJSON (builtins.readFile lockFile);
  registry = "https://registry.npmjs.org/";
  # "node_modules/a/node_modules/@s/b" -> "@s/b"; aliased packages carry their real name
  nameOf = path: p: p.name or (builtins.head (builtins.match ".*node_modules/(.*)" path));
  # "@s/b" -> "b"
  baseOf = name: builtins.elemAt (builtins.match "(@[^/]+/)?([^/]+)" name) 1;
  resolve = path: p:
    if path == "" || p ? resolved || (p.link or false) || (p.inBundle or false) || !(p ? version)
    then p
    else p // { resolved = "${registry}${nameOf path p}/-/${baseOf (nameOf path p)}-${p.version}.tgz"; };
in
lock // { packages = builtins.mapAttrs resolve lock.packages; }
