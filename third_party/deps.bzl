"""billiard_dependencies(): what a Bazel 4.2.3 build of billiard needs, offline.

Bazel 4.2.3 downloads @rules_cc, @rules_java and @remote_coverage_tools on the
first C++ build; billiard ships a small shim for each under third_party/
(docs/building.md). This workspace and every workspace that uses billiard
call the same macro:

    local_repository(name = "billiard", path = "/path/to/billiard")
    load("@billiard//third_party:deps.bzl", "billiard_dependencies")
    billiard_dependencies()

A repository the calling WORKSPACE defined before the call is kept as it is.
"""

def _shim_repository_impl(rctx):
    # The shim folder is found from this file's own repository, so the macro
    # works whatever name or path the caller gave billiard.
    shim = rctx.path(Label("//third_party:deps.bzl")).dirname.get_child(rctx.attr.shim)
    for child in shim.readdir():
        rctx.symlink(child, child.basename)

_shim_repository = repository_rule(
    implementation = _shim_repository_impl,
    attrs = {"shim": attr.string(mandatory = True)},
    local = True,
)

def billiard_dependencies():
    """Defines @rules_cc, @rules_java and @remote_coverage_tools from billiard's shims."""
    for name in ["rules_cc", "rules_java", "remote_coverage_tools"]:
        if name not in native.existing_rules():
            _shim_repository(name = name, shim = name)
