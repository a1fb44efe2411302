#!/usr/bin/env bash
# Issue 12: the packages as a user gets them. Packs every package of the solution (needs a Release build:
# `dotnet build Drogulus.Actors.sln -c Release`) into a local folder feed, checks that each has its symbol package
# and real metadata, then, in a fresh project outside the repository whose nuget.config names that folder and
# nuget.org, builds the files of samples/Drogulus.HostingSample (the README's snippets) against the packages and
# runs it: two TLS nodes on 127.0.0.1 join, put and get, and a node under a generic host answers its health
# check. Last, installs the drogulus-node tool from the feed and runs `drogulus-node --help`.
# Restores go to a packages folder of their own, so a package of this version cached earlier cannot stand in.
# Exit code 0 when everything passed; the last line says "package test: passed" or what failed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/drogulus-package-test.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "package test: FAILED: $*"; exit 1; }

version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$root/Directory.Build.props" | head -1)
hosting_version=$(sed -n 's:.*Include="Microsoft.Extensions.Hosting" Version="\([^"]*\)".*:\1:p' "$root/Directory.Packages.props")
[ -n "$version" ] && [ -n "$hosting_version" ] || fail "cannot read the versions from Directory.Build.props and Directory.Packages.props"

feed=$work/feed
dotnet pack "$root/Drogulus.Actors.sln" -c Release --no-build -o "$feed" -v quiet -nologo

ids=(Drogulus.Core Drogulus.Actors Drogulus.Hosting drogulus-node)
[ -d "$root/src/Drogulus.TestKit" ] && ids+=(Drogulus.TestKit)
for id in "${ids[@]}"; do
  nupkg=$feed/$id.$version.nupkg
  [ -f "$nupkg" ] || fail "no $id $version in the feed"
  [ -f "$feed/$id.$version.snupkg" ] || fail "$id has no symbol package"
  nuspec=$(unzip -p "$nupkg" "*.nuspec")
  grep -q '<license type="expression">Apache-2.0</license>' <<<"$nuspec" || fail "$id has no license expression"
  grep -q '<readme>README.md</readme>' <<<"$nuspec" || fail "$id has no readme"
  grep -q '<tags>' <<<"$nuspec" || fail "$id has no tags"
  if ! grep -q '<description>' <<<"$nuspec" || grep -q '<description>Package Description</description>' <<<"$nuspec"; then
    fail "$id has no description of its own"
  fi
  unzip -l "$nupkg" README.md >/dev/null || fail "$id does not carry README.md"
done
unzip -p "$feed/drogulus-node.$version.nupkg" "*.nuspec" | grep -q '<packageType name="DotnetTool"' || fail "drogulus-node is not a .NET tool package"
echo "packed ${#ids[@]} packages at $version, each with a .snupkg: ${ids[*]}"

# A project outside the repository: no Directory.Build.props, central versions or nuget.config of ours applies.
consumer=$work/consumer
mkdir -p "$consumer"
for f in Directory.Build.props Directory.Build.targets Directory.Packages.props; do echo '<Project />' >"$work/$f"; done
cache_source=""
[ -d "$HOME/.nuget/packages" ] && cache_source="<add key=\"machine-cache\" value=\"$HOME/.nuget/packages\" />"
cat >"$work/nuget.config" <<CONFIG
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="local-feed" value="$feed" />
    $cache_source
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
  </packageSources>
  <packageSourceMapping>
    <packageSource key="local-feed">
      <package pattern="Drogulus.*" />
      <package pattern="drogulus-node" />
    </packageSource>
    $( [ -n "$cache_source" ] && echo '<packageSource key="machine-cache"><package pattern="*" /></packageSource>' )
    <packageSource key="nuget.org">
      <package pattern="*" />
    </packageSource>
  </packageSourceMapping>
</configuration>
CONFIG
testkit_ref=""
[ -d "$root/src/Drogulus.TestKit" ] && testkit_ref="<PackageReference Include=\"Drogulus.TestKit\" Version=\"$version\" />"
cat >"$consumer/Consumer.csproj" <<PROJECT
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
    <NuGetAudit>false</NuGetAudit>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Drogulus.Hosting" Version="$version" />
    <PackageReference Include="Microsoft.Extensions.Hosting" Version="$hosting_version" />
    $testkit_ref
  </ItemGroup>
</Project>
PROJECT
cp "$root"/samples/Drogulus.HostingSample/*.cs "$consumer/"
export NUGET_PACKAGES=$work/packages
dotnet restore "$consumer/Consumer.csproj" --configfile "$work/nuget.config" -v quiet -nologo
for id in Drogulus.Core Drogulus.Actors Drogulus.Hosting; do
  [ -d "$NUGET_PACKAGES/${id,,}/$version" ] || fail "the consumer did not restore $id $version from the feed"
done
dotnet build "$consumer/Consumer.csproj" -c Release --no-restore -v quiet -nologo
set +e
( cd "$consumer" && timeout 300 dotnet bin/Release/net10.0/Consumer.dll ) >"$work/run.log" 2>&1
rc=$?
set -e
tail -n 3 "$work/run.log"
[ "$rc" -eq 0 ] || { cat "$work/run.log"; fail "the sample built from the packages exited with $rc"; }

dotnet tool install drogulus-node --version "$version" --tool-path "$work/tool" --configfile "$work/nuget.config" >/dev/null
"$work/tool/drogulus-node" --help >"$work/help.txt" || fail "drogulus-node --help from the installed tool failed"
grep -q "status" "$work/help.txt" || fail "drogulus-node --help does not list its commands"
echo "package test: passed"
