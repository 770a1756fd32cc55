{
  description = "kube-mcp: MCP server for many Kubernetes clusters at once";

  # a maintained release with nodejs_24 (Node 24 LTS); see README (Nix) on flake.lock
  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-26.05";

  outputs = { self, nixpkgs }:
    let
      systems = [ "x86_64-linux" "aarch64-linux" "x86_64-darwin" "aarch64-darwin" ];
      forAllSystems = f: nixpkgs.lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});
      version = (builtins.fromJSON (builtins.readFile ./package.json)).version;
      # the lockfile with `resolved` URLs, which npm leaves out under omit-lockfile-registry-resolved
      lockWithResolved = builtins.toFile "package-lock.json" (builtins.toJSON (import ./nix/lock.nix ./package-lock.json));
    in
    {
      packages = forAllSystems (pkgs: rec {
        kube-mcp = pkgs.buildNpmPackage {
          pname = "kube-mcp";
          inherit version;
          nodejs = pkgs.nodejs_24;
          src = pkgs.lib.fileset.toSource {
            root = ./.;
            fileset = pkgs.lib.fileset.unions [
              ./package.json
              ./package-lock.json
              ./tsconfig.json
              ./tsconfig.build.json
              ./scripts/build.mjs
              ./src
            ];
          };
          postPatch = ''
            cp ${lockWithResolved} package-lock.json
          '';
          # The fixed-output hash of the npm dependencies (prefetch-npm-deps of the patched lockfile).
          # After changing package-lock.json run `node nix/npm-deps-hash.mjs --write`; test/ship checks that
          # this matches: package-lock.json sha256 8f469ee41692ab07c4ce64f61dac59d6a8d11982dd16a3387c0c6a8ed0912894
          npmDepsHash = "sha256-m4XoG7P0aoicnytVZkjPCShmEX2QW8d/AHazBt/Yq7Q=";
          # `npm run build`: tsc type check, then esbuild bundles dist/ (self-contained: no node_modules at runtime)
          npmBuildScript = "build";
          nativeBuildInputs = [ pkgs.makeWrapper ];
          installPhase = ''
            runHook preInstall
            mkdir -p $out/lib/kube-mcp $out/bin
            cp -r dist package.json $out/lib/kube-mcp/
            makeWrapper ${pkgs.nodejs_24}/bin/node $out/bin/kube-mcp --add-flags $out/lib/kube-mcp/dist/main.js
            runHook postInstall
          '';
          doInstallCheck = true;
          installCheckPhase = ''
            $out/bin/kube-mcp --version | grep -F "kube-mcp ${version}"
          '';
          meta = {
            description = "MCP server for many Kubernetes clusters: per-call context, read-only mode, masked secrets";
            license = pkgs.lib.licenses.asl20;
            mainProgram = "kube-mcp";
          };
        };
        default = kube-mcp;
      });

      # `nix run . -- --read-only` starts the server (stdio) with the given flags
      apps = forAllSystems (pkgs: {
        default = {
          type = "app";
          program = "${self.packages.${pkgs.stdenv.hostPlatform.system}.default}/bin/kube-mcp";
        };
      });

      devShells = forAllSystems (pkgs: {
        default = pkgs.mkShell { packages = [ pkgs.nodejs_24 pkgs.go pkgs.openssl ]; };
      });
    };
}
