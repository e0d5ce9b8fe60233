"""Copy the browser files of the npm packages into app/static/vendor/<package>/, and bundle
each of our scripts that imports npm modules with esbuild (BUNDLES): the modeler
(app/static/js/modeler/index.js -> app/static/vendor/ticflow/modeler.js) and the form editor
(app/static/js/form_editor/index.js with CodeMirror -> app/static/vendor/ticflow/form_editor.js).

Run after `npm ci` (the Makefile's `frontend` target does both); esbuild is the one pinned in
package-lock.json (a devDependency), so a clean clone bundles the same bytes. Paths keep their place
inside the package, minus a leading `dist/`, so relative URLs in the CSS (fonts) still
resolve, e.g. node_modules/bpmn-js/dist/assets/bpmn-js.css ->
app/static/vendor/bpmn-js/assets/bpmn-js.css. Source maps and TypeScript declarations are
left out. A missing file or package is an error: nothing is half-installed, the old vendor
folder is replaced only when every copy succeeded. `versions.json` in the vendor folder
records the installed version of each package (for cache-busting URLs).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
VENDOR = ROOT / "app" / "static" / "vendor"
SCRIPTS = ROOT / "app" / "static" / "js"
# bundle inside the vendor folder (under a name no npm package can take) -> its entry script.
BUNDLES: dict[Path, Path] = {
    Path("ticflow") / "modeler.js": SCRIPTS / "modeler" / "index.js",
    Path("ticflow") / "form_editor.js": SCRIPTS / "form_editor" / "index.js",
}

# package -> paths inside the package (files or folders), every one required.
# A folder is copied whole, without *.map, *.d.ts and types/ folders.
MANIFEST: dict[str, list[str]] = {
    "bpmn-js": [
        "dist/bpmn-navigated-viewer.production.min.js",
        "dist/bpmn-modeler.production.min.js",
        "dist/assets",
    ],
    "dmn-js": [
        "dist/dmn-modeler.production.min.js",
        "dist/assets",
    ],
    # UMD global `BpmnJSPropertiesPanel` (BpmnPropertiesPanelModule,
    # BpmnPropertiesProviderModule, CamundaPlatformPropertiesProviderModule, ...).
    "bpmn-js-properties-panel": [
        "dist",
        "dist/bpmn-js-properties-panel.umd.js",
    ],
    # The panel's stylesheet lives in its peer package.
    "@bpmn-io/properties-panel": [
        "dist/assets/properties-panel.css",
    ],
    # The moddle descriptor for `moddleExtensions: { camunda: ... }`; its dist/ holds
    # only TypeScript declarations.
    "camunda-bpmn-moddle": [
        "resources/camunda.json",
    ],
    # Stylesheets of what the modeler bundle imports (their scripts are in the bundle).
    "bpmn-js-element-templates": [
        "dist/assets/element-templates.css",
    ],
    "@bpmn-io/element-template-chooser": [
        "dist/element-template-chooser.css",
    ],
    "bpmn-js-bpmnlint": [
        "dist/assets/css/bpmn-js-bpmnlint.css",
    ],
    # The dashboard's charts: the UMD global `echarts` (every chart type, no map data).
    "echarts": [
        "dist/echarts.min.js",
    ],
}


class InstallError(Exception):
    """A package or file the front end needs is missing."""


def _target(rel: str) -> Path:
    path = Path(rel)
    if path.parts and path.parts[0] == "dist":
        path = Path(*path.parts[1:]) if len(path.parts) > 1 else Path()
    return path


def _skip(path: Path) -> bool:
    return path.suffix == ".map" or path.name.endswith(".d.ts") or "types" in path.parts


def _copy_tree(src: Path, dest: Path) -> int:
    count = 0
    for item in sorted(src.rglob("*")):
        rel = item.relative_to(src)
        if item.is_dir() or _skip(rel):
            continue
        out = dest / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(item, out)
        count += 1
    if count == 0:
        raise InstallError(f"{src} holds no files to copy")
    return count


def bundle(node_modules: Path, outfile: Path, entry: Path) -> None:
    """Bundle one entry script with the esbuild that `npm ci` installed (one minified script)."""
    esbuild = node_modules / ".bin" / "esbuild"
    if not esbuild.is_file():
        raise InstallError(f"{esbuild} is missing: esbuild is a devDependency, run `npm ci`")
    command = [str(esbuild), str(entry), "--bundle", "--minify", "--format=iife",
               "--target=es2020", "--log-level=warning", f"--outfile={outfile}"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        raise InstallError(f"esbuild failed on {entry.relative_to(ROOT)}:\n{result.stderr}")
    print(f"  bundle: {entry.relative_to(ROOT)} -> {outfile.name} ({outfile.stat().st_size // 1024} KiB)")


def install(node_modules: Path = NODE_MODULES, vendor: Path = VENDOR) -> dict[str, str]:
    """Copy every manifest entry into a fresh vendor folder; return package versions."""
    if not node_modules.is_dir():
        raise InstallError(f"{node_modules} is missing: run `npm ci` first (or `make frontend`)")
    versions: dict[str, str] = {}
    vendor.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".vendor-", dir=vendor.parent))
    try:
        for package, paths in MANIFEST.items():
            package_dir = node_modules / package
            meta = package_dir / "package.json"
            if not meta.is_file():
                raise InstallError(f"npm package {package} is not installed ({meta} missing)")
            versions[package] = json.loads(meta.read_text(encoding="utf-8"))["version"]
            for rel in paths:
                src = package_dir / rel
                dest = staging / package / _target(rel)
                if src.is_dir():
                    copied = _copy_tree(src, dest)
                elif src.is_file():
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(src, dest)
                    copied = 1
                else:
                    raise InstallError(f"{package}: {rel} not found in {package_dir}")
                print(f"  {package}@{versions[package]}: {rel} ({copied} file(s))")
        for target, entry in BUNDLES.items():
            bundle(node_modules, staging / target, entry)
        (staging / "versions.json").write_text(
            json.dumps(versions, indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )
        if vendor.exists():
            shutil.rmtree(vendor)
        staging.rename(vendor)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return versions


def main() -> int:
    try:
        versions = install()
    except InstallError as exc:
        print(f"install_frontend: error: {exc}", file=sys.stderr)
        return 1
    print(f"install_frontend: {len(versions)} packages copied to {VENDOR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
